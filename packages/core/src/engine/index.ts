export * from './types.js';
export { backtest, simulate, toResult, computeMetrics, type BacktestRun } from './backtest.js';
export { IndicatorCache, operandKey, compute as computeOperand } from './indicator-cache.js';
export { compileRules, rulesHold, anyRuleHolds, type CompiledRules } from './rules.js';
export { runSleeve, type SimRange, type SleeveRun } from './sleeve.js';
