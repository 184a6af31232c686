import * as tf from '@tensorflow/tfjs';
import type { CandleSeries } from '@mastertrade/core';
import { applyScaler, type Scaler, type TargetScaler } from './dataset/scaler.js';
import { InsufficientDataError, prepareDataset, type SplitRange } from './dataset/windows.js';
import { buildFeatures, FEATURES, type FeatureName } from './features/features.js';
import { normalCdf, validationReport, type ValidationReport } from './metrics/metrics.js';
import { buildModel, MODEL_SIZES, type ModelSize, type ModelSpec } from './model/build-model.js';
import { fitModel, predictScaled, type EpochProgress, type FitResult } from './train/fit.js';

export const META_FORMAT = 'mastertrade-predictor/1';

/** Everything needed to reuse a trained model besides its weights; stored as meta.json and in the database. */
export interface PredictorMeta {
  format: typeof META_FORMAT;
  symbol: string;
  timeframe: string;
  size: ModelSize;
  spec: ModelSpec;
  features: FeatureName[];
  windowBars: number;
  /** The target is the change over the next `horizonBars` bar(s). */
  horizonBars: 1;
  scaler: Scaler;
  targetScaler: TargetScaler;
  /** The bars the model saw, ms. */
  data: { bars: number; fromTsMs: number; toTsMs: number };
  train: SplitRange;
  validation: SplitRange;
  report: ValidationReport;
  fit: Omit<FitResult, 'history'> & { history: Pick<EpochProgress, 'epoch' | 'loss' | 'valLoss' | 'learningRate' | 'epochSeconds'>[] };
  hyper: { epochs: number; batchSize: number; learningRate: number; patience: number; plateauPatience: number; plateauFactor: number; valFraction: number; seed: number };
  backend: string;
  params: number;
  trainedAtMs: number;
}

export interface TrainPredictorOptions {
  size: ModelSize;
  /** Default: 40 (full) or 30 (small); early stopping usually ends sooner. */
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  patience?: number;
  windowBars?: number;
  valFraction?: number;
  /** Use only the newest N windows (tests, benchmarks). */
  maxWindows?: number;
  seed?: number;
  /** Name of the active tfjs backend, recorded in the metadata. */
  backend?: string;
  signal?: AbortSignal;
  onEpoch?: (p: EpochProgress) => void | Promise<void>;
  /** Clock for `trainedAtMs` (tests). */
  now?: () => number;
}

export const DEFAULT_EPOCHS: Record<ModelSize, number> = { full: 40, small: 30 };

export interface TrainedPredictor {
  model: tf.LayersModel;
  meta: PredictorMeta;
}

/**
 * Features → chronological 80/20 split → scaler on the training rows → model → fit (early
 * stopping, reduce-on-plateau) → validation report against the naive baselines. The caller
 * owns `model` (dispose it).
 */
export async function trainPredictor(series: CandleSeries, o: TrainPredictorOptions): Promise<TrainedPredictor> {
  const hyper = {
    epochs: o.epochs ?? DEFAULT_EPOCHS[o.size],
    batchSize: o.batchSize ?? 32,
    learningRate: o.learningRate ?? 0.001,
    patience: o.patience ?? 5,
    plateauPatience: 2,
    plateauFactor: 0.5,
    valFraction: o.valFraction ?? 0.2,
    seed: o.seed ?? 1,
  };
  const windowBars = o.windowBars ?? 60;
  const ds = prepareDataset(series, { windowBars, valFraction: hyper.valFraction, ...(o.maxWindows === undefined ? {} : { maxWindows: o.maxWindows }) });
  const spec: ModelSpec = MODEL_SIZES[o.size];
  const model = buildModel({ spec, windowBars, features: ds.width, seed: hyper.seed });
  try {
    const fit = await fitModel(model, ds, {
      epochs: hyper.epochs,
      batchSize: hyper.batchSize,
      learningRate: hyper.learningRate,
      patience: hyper.patience,
      plateauPatience: hyper.plateauPatience,
      plateauFactor: hyper.plateauFactor,
      minLearningRate: 1e-5,
      seed: hyper.seed,
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onEpoch ? { onEpoch: o.onEpoch } : {}),
    });
    const scaledPred = predictScaled(model, ds, ds.valEnds);
    const m = ds.valEnds.length;
    const pred = new Float64Array(m);
    const actual = new Float64Array(m);
    const lastChange = new Float64Array(m);
    const close = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      const e = ds.valEnds[i] as number;
      pred[i] = (scaledPred[i] as number) * ds.targetScaler.std + ds.targetScaler.mean;
      actual[i] = ds.targetPct[e] as number;
      lastChange[i] = ds.targetPct[e - 1] as number;
      close[i] = ds.features.close[e] as number;
    }
    const report = validationReport({ pred, actual, lastChange, close });
    const n = series.tsMs.length;
    const meta: PredictorMeta = {
      format: META_FORMAT,
      symbol: series.symbol,
      timeframe: series.timeframe,
      size: o.size,
      spec,
      features: [...FEATURES],
      windowBars,
      horizonBars: 1,
      scaler: ds.scaler,
      targetScaler: ds.targetScaler,
      data: { bars: n, fromTsMs: series.tsMs[0] as number, toTsMs: series.tsMs[n - 1] as number },
      train: ds.train,
      validation: ds.validation,
      report,
      fit: { ...fit, history: fit.history.map(({ epoch, loss, valLoss, learningRate, epochSeconds }) => ({ epoch, loss, valLoss, learningRate, epochSeconds })) },
      hyper,
      backend: o.backend ?? tf.getBackend(),
      params: model.countParams(),
      trainedAtMs: (o.now ?? Date.now)(),
    };
    return { model, meta };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

export interface Prediction {
  symbol: string;
  timeframe: string;
  /** Open time of the last bar the model saw, ms; the prediction is for the bar after it. */
  tsMs: number;
  horizonBars: number;
  /** Predicted close change over the next bar, %. */
  valuePct: number;
  close: number;
  predictedClose: number;
  /** P(next close > this close) under a normal error with the validation RMSE. */
  probUp: number;
  /** P(the predicted direction is right) under the same error model: max(probUp, 1 - probUp), in [0.5, 1). */
  confidence: number;
  /** Typical absolute error of `valuePct`: the validation MAE, percentage points. */
  errorPct: number;
  /** The model beat the naive baselines on validation. */
  usable: boolean;
}

/**
 * Predicts the next bar's change from the newest `windowBars` bars of `series`, with the
 * scaler stored in `meta` (never refitted on new data).
 */
export function predictNext(model: tf.LayersModel, meta: PredictorMeta, series: CandleSeries): Prediction {
  if (meta.features.join(',') !== FEATURES.join(',')) {
    throw new Error(`the model was trained on features [${meta.features.join(', ')}], this code builds [${FEATURES.join(', ')}]: retrain it`);
  }
  const f = buildFeatures(series);
  const end = f.rows - 1;
  if (end - meta.windowBars + 1 < f.firstRow) {
    throw new InsufficientDataError(`${series.symbol} ${series.timeframe}: ${f.rows} bars; a prediction needs ${f.firstRow + meta.windowBars} (indicator warm-up + one window)`);
  }
  // Only the rows of the one window are scaled.
  const from = end - meta.windowBars + 1;
  const scaled = applyScaler(meta.scaler, f.values.subarray(from * f.width, (end + 1) * f.width), f.width, 0);
  const [scaledPred] = predictScaled(model, { scaled, windowBars: meta.windowBars, width: f.width }, [meta.windowBars - 1]);
  const valuePct = (scaledPred as number) * meta.targetScaler.std + meta.targetScaler.mean;
  const close = f.close[end] as number;
  const sigma = meta.report.model.rmse;
  const probUp = sigma > 0 ? normalCdf(valuePct / sigma) : valuePct > 0 ? 1 : 0;
  return {
    symbol: series.symbol,
    timeframe: series.timeframe,
    tsMs: f.tsMs[end] as number,
    horizonBars: meta.horizonBars,
    valuePct,
    close,
    predictedClose: close * (1 + valuePct / 100),
    probUp,
    confidence: Math.max(probUp, 1 - probUp),
    errorPct: meta.report.model.mae,
    usable: meta.report.usable,
  };
}
