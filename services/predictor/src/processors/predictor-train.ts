import { DataError } from '@mastertrade/core';
import type { Db } from '@mastertrade/db';
import { InsufficientDataError, TrainingAbortedError } from '@mastertrade/predictor-model';
import { InvalidInputError, RateLimitedError, type Handler } from '@mastertrade/queue';
import type { Logger } from '@mastertrade/runtime';
import type { PredictorMetrics } from '../metrics.js';
import type { PredictorSettings } from '../settings.js';
import { trainAndStore, type TrainSummary } from '../train.js';
import type { TrainingRunner } from '../training.js';

export interface TrainHandlerDeps {
  db: Db;
  settings: PredictorSettings;
  runner: TrainingRunner;
  log: Logger;
  metrics: PredictorMetrics;
  /** Asks the data-fetcher for fresh candles first; a failure is logged and stored data is used. */
  refresh?: (symbol: string, days: number) => Promise<void>;
  /** Aborted on service shutdown: running trainings stop and their jobs are put back, not failed. */
  shutdownSignal: AbortSignal;
}

/**
 * `predictor.train`: one training at a time per process (a second waits: two would halve each
 * other's speed on this machine). The training itself runs in the runner's process (a child in
 * the service); this handler only relays its progress to the log, the job and /metrics.
 */
export function createTrainHandler(deps: TrainHandlerDeps): Handler<'predictor.train'> {
  let queue: Promise<unknown> = Promise.resolve();
  return (data, job) => {
    const run = queue.then(() => train(deps, data, job));
    queue = run.catch(() => undefined);
    return run;
  };
}

async function train(deps: TrainHandlerDeps, data: Parameters<Handler<'predictor.train'>>[0], job: Parameters<Handler<'predictor.train'>>[1]): Promise<TrainSummary> {
  const { log, metrics: m, settings } = deps;
  const labels = { symbol: data.symbol };
  const signal = AbortSignal.any([job.signal, deps.shutdownSignal]);
  if (deps.refresh) {
    await deps.refresh(data.symbol, settings.PREDICTOR_TRAIN_DAYS).catch((err: Error) => log.warn({ jobId: job.jobId, symbol: data.symbol, err: err.message }, 'candle refresh failed; training on stored data'));
  }
  m.trainRunning.set(labels, 1);
  log.info({ jobId: job.jobId, symbol: data.symbol, size: data.size, epochs: data.epochs ?? 'default' }, 'predictor training started');
  try {
    const summary = await trainAndStore(deps.db, {
      symbol: data.symbol,
      size: data.size,
      ...(data.epochs === undefined ? {} : { epochs: data.epochs }),
      ...(data.patience === undefined ? {} : { patience: data.patience }),
      days: settings.PREDICTOR_TRAIN_DAYS,
      ...(settings.PREDICTOR_MAX_WINDOWS > 0 ? { maxWindows: settings.PREDICTOR_MAX_WINDOWS } : {}),
      backend: settings.PREDICTOR_BACKEND,
      modelDir: settings.MODEL_DIR,
      runner: deps.runner,
      signal,
      onBackend: (b) => log.info({ jobId: job.jobId, backend: b.name, reason: b.reason }, `predictor training on the ${b.name} backend`),
      onEpoch: async (p) => {
        m.epoch.set(labels, p.epoch);
        m.epochs.set(labels, p.epochs);
        m.loss.set(labels, p.loss);
        m.valLoss.set(labels, p.valLoss);
        m.learningRate.set(labels, p.learningRate);
        m.epochSeconds.set(labels, p.epochSeconds);
        m.eta.set(labels, p.etaSeconds);
        log.info(
          { jobId: job.jobId, symbol: data.symbol, epoch: p.epoch, epochs: p.epochs, loss: p.loss, valLoss: p.valLoss, learningRate: p.learningRate, epochSeconds: round(p.epochSeconds), etaSeconds: round(p.etaSeconds), improved: p.improved },
          'predictor epoch',
        );
        await job.progress({ epoch: p.epoch, epochs: p.epochs, loss: p.loss, valLoss: p.valLoss, etaSeconds: round(p.etaSeconds) }).catch(() => undefined);
      },
    });
    m.eta.set(labels, 0);
    m.skill.set(labels, summary.validation.skill);
    m.usable.set(labels, summary.usable ? 1 : 0);
    const level = summary.usable ? 'info' : 'warn';
    log[level](
      {
        jobId: job.jobId,
        model: `${summary.name} v${summary.version}`,
        backend: summary.backend,
        epochsRun: summary.epochsRun,
        stopReason: summary.stopReason,
        secondsPerEpoch: round(summary.secondsPerEpoch),
        mae: summary.validation.model.mae,
        maeZero: summary.validation.zeroChange.mae,
        maeLast: summary.validation.lastChange.mae,
        skill: summary.validation.skill,
        directionalAccuracy: summary.validation.model.directionalAccuracy,
        usable: summary.usable,
      },
      `predictor trained: ${summary.verdict}`,
    );
    return summary;
  } catch (err) {
    if (err instanceof InsufficientDataError || err instanceof DataError) throw new InvalidInputError(err.message);
    if (err instanceof TrainingAbortedError && deps.shutdownSignal.aborted) {
      // Interrupted, not failed: back to the queue without burning an attempt.
      throw new RateLimitedError('training interrupted by a service shutdown', 5_000);
    }
    throw err;
  } finally {
    m.trainRunning.set(labels, 0);
  }
}

const round = (x: number) => Math.round(x * 10) / 10;
