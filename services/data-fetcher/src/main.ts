import { observeJobs, runService, serviceEnvSchema } from '@mastertrade/pipeline';
import { QUEUES, startWorker } from '@mastertrade/queue';
import { createFetchCandlesHandler } from './processors/fetch-candles.js';

/**
 * data-fetcher: the `fetch.candles` worker. Concurrency 1: fetches are network-bound and one
 * exchange's rate limit is shared by all of them, so parallel fetches would only queue in ccxt's
 * throttle.
 */
await runService('data-fetcher', serviceEnvSchema, async (ctx) => {
  const handle = createFetchCandlesHandler({ db: ctx.db, log: (event, fields) => ctx.log.info({ event, ...fields }, event) });
  const worker = startWorker({
    queue: QUEUES.fetch,
    connection: ctx.workerConnection('fetch-worker'),
    prefix: ctx.env.QUEUE_PREFIX,
    log: ctx.log,
    observe: observeJobs(ctx.jobs),
    concurrency: 1,
    handlers: { 'fetch.candles': (data, job) => handle(data, job) },
  });
  ctx.shutdown.add('fetch worker', () => worker.close());
});
