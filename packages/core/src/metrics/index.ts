export { barReturns } from './returns.js';
export { sharpeRatio, sortinoRatio } from './sharpe.js';
export { maxDrawdown } from './drawdown.js';
export { monthlyReturns } from './monthly.js';
export { tradeStats, type TradeStats } from './trade-stats.js';
export { FITNESS_FUNCTIONS, robustSharpe, sharpeFitness, sharpeTimesReturn, type FitnessFunction, type FitnessName } from './fitness.js';
