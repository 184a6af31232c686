export * from './schema.js';
export { parseStrategy, parseStrategyJson, StrategyValidationError, formatPath, problemsOf, type FieldProblem } from './validate.js';
export { canonicalJson, strategyHash } from './canonical.js';
export { randomStrategy, type RandomStrategyOptions } from './random.js';
export { crossover, mutate, tournament } from './operators.js';
