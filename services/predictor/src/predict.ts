import { existsSync } from 'node:fs';
import type { Db } from '@mastertrade/db';
import {
  initBackend,
  predictNext,
  readModelDir,
  restoreModel,
  toArrayBuffer,
  type BackendChoice,
  type ModelArtifacts,
  type PredictorMeta,
} from '@mastertrade/predictor-model';
import { loadSeries } from './adapters/candles.js';
import { fillActuals, newestModel, savePrediction, type StoredModel } from './adapters/models.js';
import { PREDICTOR_TIMEFRAME } from './settings.js';
import { modelPath } from './train.js';

/** No trained model for the symbol yet. */
export class NoModelError extends Error {
  override readonly name = 'NoModelError';
}

export interface PredictOptions {
  symbol: string;
  modelDir: string;
  backend: BackendChoice;
  /** Clock, for how old the newest bar is (tests). */
  now?: number;
}

export interface PredictSummary {
  predictionId: string;
  modelId: string;
  model: string;
  symbol: string;
  timeframe: string;
  /** Open time of the last bar the model saw (ISO); the prediction is for the next bar's close. */
  ts: string;
  horizonBars: number;
  /** Predicted close change over the next bar, %. */
  valuePct: number;
  close: number;
  predictedClose: number;
  probUp: number;
  confidence: number;
  errorPct: number;
  /** The model beat the naive baselines on validation; otherwise the number is not a signal. */
  usable: boolean;
  verdict: string;
  /** Where the weights came from: the model folder, or the database copy when the folder is missing. */
  loadedFrom: 'files' | 'database';
  backend: string;
  dataSource: string;
  /** How long ago the newest bar closed, ms (large = stale candles). */
  barAgeMs: number;
  /** Earlier predictions whose outcome became known and was filled in. */
  actualsFilled: number;
}

/**
 * The newest model of the symbol → its files (or the database copy) → the newest window of
 * hourly bars → one prediction, stored with its confidence; then fills in the outcome of
 * earlier predictions that the new bars settle.
 */
export async function predictAndStore(db: Db, o: PredictOptions): Promise<PredictSummary> {
  const timeframe = PREDICTOR_TIMEFRAME;
  const stored = await newestModel(db, o.symbol, timeframe);
  if (!stored) throw new NoModelError(`no trained predictor model for ${o.symbol} ${timeframe} (run: mastertrade predictor train --symbol ${o.symbol})`);
  const backend = await initBackend(o.backend);
  const { artifacts, meta, from } = await loadArtifacts(o.modelDir, stored);
  const model = await restoreModel(artifacts);
  try {
    // Warm-up (50 bars) + one window, with room for a few missing bars: 10 days of hours.
    const loaded = await loadSeries(db, { symbol: o.symbol, timeframe, days: Math.max(10, Math.ceil((meta.windowBars + 80) / 24)) });
    const p = predictNext(model, meta, loaded.series);
    const predictionId = await savePrediction(db, stored.id, p);
    const actualsFilled = await fillActuals(db, o.symbol, timeframe, loaded.series);
    return {
      predictionId,
      modelId: stored.id,
      model: `${stored.name} v${stored.version}`,
      symbol: o.symbol,
      timeframe,
      ts: new Date(p.tsMs).toISOString(),
      horizonBars: p.horizonBars,
      valuePct: p.valuePct,
      close: p.close,
      predictedClose: p.predictedClose,
      probUp: p.probUp,
      confidence: p.confidence,
      errorPct: p.errorPct,
      usable: p.usable,
      verdict: meta.report.verdict,
      loadedFrom: from,
      backend: backend.name,
      dataSource: loaded.source,
      barAgeMs: (o.now ?? Date.now()) - (p.tsMs + loaded.series.stepMs),
      actualsFilled,
    };
  } finally {
    model.dispose();
  }
}

async function loadArtifacts(modelDir: string, m: StoredModel): Promise<{ artifacts: ModelArtifacts; meta: PredictorMeta; from: 'files' | 'database' }> {
  const dir = modelPath(modelDir, m.dir);
  if (existsSync(dir)) {
    const { artifacts } = await readModelDir(dir);
    return { artifacts, meta: m.meta, from: 'files' };
  }
  const copy = m.topology as { modelTopology?: object; weightSpecs?: ModelArtifacts['weightSpecs'] } | null;
  if (!copy?.modelTopology || !copy.weightSpecs || !m.weights) throw new NoModelError(`model ${m.name} v${m.version}: folder ${dir} is missing and the row holds no copy of the weights`);
  return { artifacts: { modelTopology: copy.modelTopology, weightSpecs: copy.weightSpecs, weightData: toArrayBuffer(m.weights) }, meta: m.meta, from: 'database' };
}
