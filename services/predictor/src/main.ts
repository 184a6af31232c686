import { fileURLToPath } from 'node:url';
import { QueueEvents } from 'bullmq';
import { observeJobs, runService, serviceEnvSchema } from '@mastertrade/pipeline';
import { QUEUES, startWorker } from '@mastertrade/queue';
import { z } from 'zod';
import { childProcessRunner } from './child-runner.js';
import { predictorMetrics } from './metrics.js';
import { createPredictHandler } from './processors/predictor-predict.js';
import { createTrainHandler } from './processors/predictor-train.js';
import { predictorSettingsSchema } from './settings.js';

const schema = serviceEnvSchema.extend(predictorSettingsSchema.shape).extend({
  /** `ccxt`: ask the data-fetcher for fresh candles before each job (stored data if that fails); `embedded`: stored/embedded only. */
  DATA_SOURCE: z.enum(['ccxt', 'embedded']).default('ccxt'),
  FETCH_EXCHANGE: z.string().default('binance'),
  FETCH_TIMEOUT_MS: z.coerce.number().int().min(1000).default(120_000),
});

/** The training child (compiled JS next to this file). */
const TRAIN_CHILD = fileURLToPath(new URL('./train-child.js', import.meta.url));

/**
 * predictor: `predictor.train` (the fit runs in a child process, so this event loop stays free
 * for lock renewal, /metrics and predictions) and `predictor.predict` (in process, one window).
 */
await runService('predictor', schema, async (ctx) => {
  const { env, log, queues } = ctx;
  const metrics = predictorMetrics(ctx.registry);
  let refresh: ((symbol: string, days: number) => Promise<void>) | undefined;
  if (env.DATA_SOURCE === 'ccxt') {
    const events = new QueueEvents(QUEUES.fetch, { connection: ctx.workerConnection('fetch-events'), prefix: env.QUEUE_PREFIX });
    events.on('error', () => undefined);
    ctx.shutdown.add('fetch events', () => events.close());
    refresh = async (symbol, days) => {
      if ((await queues.queue(QUEUES.fetch).getWorkersCount()) === 0) throw new Error('no data-fetcher worker is running');
      const job = await queues.add('fetch.candles', { exchange: env.FETCH_EXCHANGE, symbols: [symbol], timeframe: '5m', days });
      await job.waitUntilFinished(events, env.FETCH_TIMEOUT_MS);
    };
  }
  const stopTraining = new AbortController();
  const runner = childProcessRunner({
    childPath: TRAIN_CHILD,
    onStart: (pid) => log.info({ childPid: pid }, 'training process started'),
    onOutput: (line, stream) => log.debug({ stream, line }, 'training process output'),
  });
  const deps = { db: ctx.db, settings: env, log, metrics, ...(refresh ? { refresh } : {}) };
  const worker = startWorker({
    queue: QUEUES.predictor,
    connection: ctx.workerConnection('predictor-worker'),
    prefix: env.QUEUE_PREFIX,
    log,
    // A prediction must not wait behind a training of an hour or more; trainings queue among themselves.
    concurrency: 2,
    observe: observeJobs(ctx.jobs),
    handlers: {
      'predictor.train': createTrainHandler({ ...deps, runner, shutdownSignal: stopTraining.signal }),
      'predictor.predict': createPredictHandler(deps),
    },
  });
  // Stop the children first, so worker.close() does not wait out a training.
  ctx.shutdown.add('training processes', () => stopTraining.abort());
  ctx.shutdown.add('predictor worker', () => worker.close());
  log.info({ modelDir: env.MODEL_DIR, backend: env.PREDICTOR_BACKEND, dataSource: env.DATA_SOURCE }, 'predictor worker started');
});
