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
