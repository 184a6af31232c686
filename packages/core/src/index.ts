export * from './candles/index.js';
export * from './indicators/index.js';
export * from './genome/index.js';
export * from './engine/index.js';
export * from './metrics/index.js';
export { sha256Hex } from './util/sha256.js';
export { createRng, randInt, pick, roundTo, type Rng } from './util/rng.js';
export * from './learning/index.js';
export * from './validation/index.js';
