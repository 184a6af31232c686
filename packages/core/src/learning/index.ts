export { extractFeatures, patternKey, type StrategyFeatures } from './features.js';
export * from './insights.js';
export { updatePatterns, thompsonPick, sampleBeta, type PatternState, type PatternUpdateOptions } from './patterns.js';
export {
  generateCandidates,
  updatePopulation,
  resampleWithin,
  originQuotas,
  seedFrom,
  DEFAULT_GA,
  type Candidate,
  type GaParams,
  type GenerationPlan,
  type Origin,
  type PopulationMember,
} from './generation.js';
export { pearson, quantile, mean } from './stats.js';
export { ENGINE_VERSION, DEFAULT_FILTERS, DEFAULT_PROMOTION, filterFailures, passesFilters, type Filters, type PromotionRules } from './filters.js';
