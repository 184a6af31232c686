export * from './types.js';
export { backtest, simulate, simulateRanges, toResult, tradesJson, computeMetrics, type BacktestRun } from './backtest.js';
export { IndicatorCache, operandKey, compute as computeOperand } from './indicator-cache.js';
export { compileRules, rulesHold, anyRuleHolds, type CompiledRules } from './rules.js';
export { runSleeve, sleeveSignals, type SignalMasks, type SimRange, type SleeveRun } from './sleeve.js';
