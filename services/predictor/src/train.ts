import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Db } from '@mastertrade/db';
import { readModelDir, type BackendChoice, type BackendInfo, type EpochProgress, type ModelSize, type ValidationReport } from '@mastertrade/predictor-model';
import { loadSeries } from './adapters/candles.js';
import { insertModel } from './adapters/models.js';
import { PREDICTOR_TIMEFRAME } from './settings.js';
import type { TrainingRunner } from './training.js';

export interface TrainAndStoreOptions {
  symbol: string;
  size: ModelSize;
  epochs?: number;
  /** Early-stopping patience in epochs (the model's default when undefined). */
  patience?: number;
  /** Days of candles (the newest). */
  days: number;
  /** Cap on windows (the newest); undefined = all. */
  maxWindows?: number;
  backend: BackendChoice;
  /** MODEL_DIR. */
  modelDir: string;
  runner: TrainingRunner;
  signal?: AbortSignal;
  onBackend?: (b: BackendInfo) => void;
  onEpoch?: (p: EpochProgress) => void | Promise<void>;
}

/** What a training run reports (the CLI's --json line, the job's return value). */
export interface TrainSummary {
  modelId: string;
  name: string;
  version: number;
  symbol: string;
  timeframe: string;
  size: ModelSize;
  backend: string;
  params: number;
  dataSource: string;
  dataNote: string | null;
  bars: number;
  trainWindows: number;
  validationWindows: number;
  validationFrom: string;
  validationTo: string;
  epochsRun: number;
  bestEpoch: number;
  stopReason: string;
  secondsPerEpoch: number;
  seconds: number;
  validation: ValidationReport;
  usable: boolean;
  verdict: string;
  /** The model's folder (absolute). */
  dir: string;
}

/**
 * Candles from PostgreSQL (or the embedded set) → a training run (in whatever process the
 * runner uses) → files under MODEL_DIR/<symbol>-<timeframe>/<model id>/ → the model row
 * (metadata, metrics, and a copy of topology and weights). Files are removed if the row is not
 * written, so there are no orphans.
 */
export async function trainAndStore(db: Db, o: TrainAndStoreOptions): Promise<TrainSummary> {
  const t0 = performance.now();
  const timeframe = PREDICTOR_TIMEFRAME;
  const loaded = await loadSeries(db, { symbol: o.symbol, timeframe, days: o.days });
  const id = randomUUID();
  const dir = `${o.symbol}-${timeframe}/${id}`;
  const outDir = resolve(o.modelDir, dir);
  try {
    const { meta, backend } = await o.runner(
      {
        series: loaded.series,
        size: o.size,
        backend: o.backend,
        outDir,
        ...(o.epochs === undefined ? {} : { epochs: o.epochs }),
        ...(o.patience === undefined ? {} : { patience: o.patience }),
        ...(o.maxWindows === undefined ? {} : { maxWindows: o.maxWindows }),
      },
      { ...(o.signal ? { signal: o.signal } : {}), ...(o.onBackend ? { onBackend: o.onBackend } : {}), ...(o.onEpoch ? { onEpoch: o.onEpoch } : {}) },
    );
    const { artifacts } = await readModelDir(outDir);
    // The row keeps a copy (topology + weight manifest, weights) so predict works where the folder is not shared.
    const row = await insertModel(db, { id, dir, meta, topology: { modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs }, weights: new Uint8Array(artifacts.weightData) });
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      modelId: row.id,
      name: row.name,
      version: row.version,
      symbol: o.symbol,
      timeframe,
      size: o.size,
      backend: backend.name,
      params: meta.params,
      dataSource: loaded.source,
      dataNote: loaded.note,
      bars: meta.data.bars,
      trainWindows: meta.train.windows,
      validationWindows: meta.validation.windows,
      validationFrom: iso(meta.validation.fromTsMs),
      validationTo: iso(meta.validation.toTsMs),
      epochsRun: meta.fit.epochsRun,
      bestEpoch: meta.fit.bestEpoch,
      stopReason: meta.fit.stopReason,
      secondsPerEpoch: meta.fit.secondsPerEpoch,
      seconds: (performance.now() - t0) / 1000,
      validation: meta.report,
      usable: meta.report.usable,
      verdict: `${row.name} v${row.version} ${meta.report.verdict}`,
      dir: outDir,
    };
  } catch (err) {
    await rm(outDir, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
}

/** The model folder of a stored model. */
export function modelPath(modelDir: string, dir: string): string {
  return join(resolve(modelDir), dir);
}
