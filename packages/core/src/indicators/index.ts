export { sma } from './sma/sma.js';
export { ema } from './ema/ema.js';
export { rsi } from './rsi/rsi.js';
export { macd, type MacdColumns } from './macd/macd.js';
export { bollinger, type BollingerColumns } from './bb/bb.js';
export { atr } from './atr/atr.js';
export { natr } from './natr/natr.js';
export { volumeRatio } from './volratio/volratio.js';
export { highest, lowest } from './channel/channel.js';
