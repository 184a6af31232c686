export { normalCdf, normalQuantile } from './normal.js';
export { returnMoments, type ReturnMoments } from './moments.js';
export { deflatedSharpe, expectedMaxSharpe, probabilisticSharpe, type DeflatedSharpeInput } from './dsr.js';
export { probabilityOfBacktestOverfitting, type PboResult } from './pbo.js';
export { biasGate, type BiasReport } from './bias.js';
