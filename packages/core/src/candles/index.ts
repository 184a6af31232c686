export * from './timeframe.js';
export * from './series.js';
export { resample } from './resample.js';
export { parseCandleCsv, parseTimestamp, type ParseCsvOptions } from './csv.js';
