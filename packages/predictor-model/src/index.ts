export { FEATURES, buildFeatures, nextChangePct, type FeatureMatrix, type FeatureName } from './features/features.js';
export { fitScaler, applyScaler, fitTargetScaler, type Scaler, type TargetScaler } from './dataset/scaler.js';
export { prepareDataset, fillWindows, fillTargets, InsufficientDataError, type Dataset, type DatasetOptions, type SplitRange } from './dataset/windows.js';
export { MultiHeadAttention, type MultiHeadAttentionArgs } from './model/multi-head-attention.js';
export { LastTimestep } from './model/last-timestep.js';
export { LayerNorm } from './model/layer-norm.js';
export { buildModel, MODEL_SIZES, type ModelSize, type ModelSpec, type BuildModelOptions } from './model/build-model.js';
export { initBackend, BackendError, BACKEND_CHOICES, type BackendChoice, type BackendInfo } from './backend.js';
export { fitModel, predictScaled, TrainingAbortedError, type FitOptions, type FitResult, type EpochProgress } from './train/fit.js';
export { errorMetrics, validationReport, normalCdf, type ErrorMetrics, type ValidationReport } from './metrics/metrics.js';
export { captureArtifacts, restoreModel, writeModelDir, readModelDir, toArrayBuffer, MODEL_FILE, WEIGHTS_FILE, META_FILE, type ModelArtifacts } from './io/model-io.js';
export {
  trainPredictor,
  predictNext,
  DEFAULT_EPOCHS,
  META_FORMAT,
  type PredictorMeta,
  type TrainPredictorOptions,
  type TrainedPredictor,
  type Prediction,
} from './predictor.js';
