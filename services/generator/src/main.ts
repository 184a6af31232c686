import { QueueEvents } from 'bullmq';
import { observeJobs, onDeadline, reconcile, runService, serviceEnvSchema, startCycle } from '@mastertrade/pipeline';
import { QUEUES, startWorker } from '@mastertrade/queue';
import { z } from 'zod';
import { cycleEnvSchema, cycleConfigFromEnv } from './env.js';

const schema = serviceEnvSchema.extend(cycleEnvSchema.shape).extend({
  /** `ccxt`: ask the data-fetcher for fresh candles first (falls back to stored/embedded data); `embedded`: stored/embedded only. */
  DATA_SOURCE: z.enum(['ccxt', 'embedded']).default('ccxt'),
  FETCH_EXCHANGE: z.string().default('binance'),
  FETCH_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000),
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(200).default(15_000),
});

/**
 * generator: handles `cycle.start` (dataset → strategies → flow of backtests) and
 * `cycle.deadline`, and runs the reconciler that re-enqueues what Redis lost.
 */
await runService('generator', schema, async (ctx) => {
  const { env, log, queues } = ctx;
  const config = cycleConfigFromEnv(env);
  let fetch: ((symbols: readonly string[]) => Promise<void>) | undefined;
  if (env.DATA_SOURCE === 'ccxt') {
    const events = new QueueEvents(QUEUES.fetch, { connection: ctx.workerConnection('fetch-events'), prefix: env.QUEUE_PREFIX });
    events.on('error', () => undefined);
    ctx.shutdown.add('fetch events', () => events.close());
    fetch = async (symbols) => {
      // Without a live data-fetcher the job would only wait for the timeout: say so at once.
      if ((await queues.queue(QUEUES.fetch).getWorkersCount()) === 0) throw new Error('no data-fetcher worker is running');
      // One attempt: the cycle waits on it, and a failed fetch falls back to the stored candles
      // (tomorrow's cycle fetches again), so the job's retries would only delay the cycle.
      const job = await queues.add('fetch.candles', { exchange: env.FETCH_EXCHANGE, symbols: [...symbols], timeframe: config.baseTimeframe, days: config.days }, { attempts: 1 });
      await job.waitUntilFinished(events, env.FETCH_TIMEOUT_MS);
    };
  }
  const deps = { db: ctx.db, queues, log };
  const worker = startWorker({
    queue: QUEUES.cycle,
    connection: ctx.workerConnection('cycle-worker'),
    prefix: env.QUEUE_PREFIX,
    log,
    concurrency: 2,
    observe: observeJobs(ctx.jobs),
    handlers: {
      'cycle.start': (data) => startCycle(data, { ...deps, config, ...(fetch ? { fetch } : {}) }),
      'cycle.deadline': (data) => onDeadline(data.cycleId, deps),
    },
  });
  ctx.shutdown.add('cycle worker', () => worker.close());
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    reconcile(deps)
      .then((r) => {
        if (r.reenqueued.length || r.restarted.length || r.finalized.length) log.info(r, 'reconciled');
      })
      .catch((err: Error) => log.warn({ err: err.message }, 'reconcile failed'))
      .finally(() => {
        running = false;
      });
  }, env.RECONCILE_INTERVAL_MS);
  ctx.shutdown.add('reconciler', () => clearInterval(timer));
});
