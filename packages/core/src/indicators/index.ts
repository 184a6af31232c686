export { sma } from './sma/sma.js';
export { ema } from './ema/ema.js';
export { rsi } from './rsi/rsi.js';
export { macd, macdLine, macdHist, type MacdColumns } from './macd/macd.js';
export { bollinger, bollingerBand, windowStdDev, type BollingerColumns } from './bb/bb.js';
export { atr } from './atr/atr.js';
export { natr, natrFromAtr } from './natr/natr.js';
export { volumeRatio, volumeRatioFrom } from './volratio/volratio.js';
export { highest, lowest } from './channel/channel.js';
