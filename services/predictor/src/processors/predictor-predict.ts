import { DataError } from '@mastertrade/core';
import type { Db } from '@mastertrade/db';
import { InsufficientDataError } from '@mastertrade/predictor-model';
import { SkipError, type Handler } from '@mastertrade/queue';
import type { Logger } from '@mastertrade/runtime';
import type { PredictorMetrics } from '../metrics.js';
import { NoModelError, predictAndStore, type PredictSummary } from '../predict.js';
import type { PredictorSettings } from '../settings.js';

export interface PredictHandlerDeps {
  db: Db;
  settings: PredictorSettings;
  log: Logger;
  metrics: PredictorMetrics;
  refresh?: (symbol: string, days: number) => Promise<void>;
}

/** A bar older than this when predicting means the candles are not being refreshed. */
const STALE_MS = 2 * 3600_000;

/**
 * `predictor.predict`: the newest model on the newest bars, in this process (one window
 * through the model: tens of milliseconds). No model or no data yet is a skip, not a failure.
 */
export function createPredictHandler(deps: PredictHandlerDeps): Handler<'predictor.predict'> {
  return async (data, job): Promise<PredictSummary> => {
    const { log, metrics: m } = deps;
    if (deps.refresh) {
      await deps.refresh(data.symbol, 2).catch((err: Error) => log.warn({ jobId: job.jobId, symbol: data.symbol, err: err.message }, 'candle refresh failed; predicting from stored data'));
    }
    try {
      const s = await predictAndStore(deps.db, { symbol: data.symbol, modelDir: deps.settings.MODEL_DIR, backend: deps.settings.PREDICTOR_BACKEND });
      m.prediction.set({ symbol: s.symbol }, s.valuePct);
      m.confidence.set({ symbol: s.symbol }, s.confidence);
      log.info(
        { jobId: job.jobId, symbol: s.symbol, ts: s.ts, valuePct: s.valuePct, confidence: s.confidence, usable: s.usable, model: s.model, loadedFrom: s.loadedFrom, actualsFilled: s.actualsFilled },
        s.usable ? 'prediction stored' : 'prediction stored (model NOT usable as a signal: it does not beat the naive baselines)',
      );
      if (s.barAgeMs > STALE_MS) log.warn({ jobId: job.jobId, symbol: s.symbol, ts: s.ts, barAgeHours: Math.round(s.barAgeMs / 360_000) / 10 }, 'prediction made from stale candles');
      return s;
    } catch (err) {
      if (err instanceof NoModelError || err instanceof InsufficientDataError || (err instanceof DataError && err.kind === 'empty')) throw new SkipError(err.message);
      throw err;
    }
  };
}
