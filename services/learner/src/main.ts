import { DatasetCache, PboThread, finalizeCycle, observeJobs, onDatasetAnnounced, runService, serviceEnvSchema } from '@mastertrade/pipeline';
import { QUEUES, SkipError, startWorker } from '@mastertrade/queue';

/**
 * learner: the flow parent `learner.evaluate` runs once a cycle's backtests settled (failed
 * children included, as ignored failures) and finalizes the cycle: filters, insights, pattern
 * bandit, GA population, promotions. The cycle's PBO runs in a thread meanwhile.
 */
await runService('learner', serviceEnvSchema, async (ctx) => {
  // Candles for the bias gate, read once per dataset; the PBO in a thread of its own.
  const pbo = new PboThread(undefined, ctx.log);
  const deps = { db: ctx.db, queues: ctx.queues, log: ctx.log, datasets: new DatasetCache(ctx.db, 1), pbo };
  // Read a cycle's candles when its dataset is announced, not when the bias gate needs them.
  await onDatasetAnnounced(ctx, (datasetId) => {
    const t0 = performance.now();
    deps.datasets.get(datasetId).then(
      () => ctx.log.info({ datasetId, ms: Math.round(performance.now() - t0) }, 'dataset preloaded'),
      (err: unknown) => ctx.log.warn({ datasetId, err: (err as Error).message }, 'dataset preload failed; the bias gate reads it'),
    );
  });
  const worker = startWorker({
    queue: QUEUES.learner,
    connection: ctx.workerConnection('learner-worker'),
    prefix: ctx.env.QUEUE_PREFIX,
    log: ctx.log,
    observe: observeJobs(ctx.jobs),
    handlers: {
      'learner.evaluate': async (data, job) => {
        const failedJobs = await job.ignoredFailures();
        const r = await finalizeCycle(data.cycleId, deps, { reason: 'children_settled', failedJobs });
        if (!r) throw new SkipError(`cycle ${data.cycleId} is not waiting for its learner (already finished or not started)`);
        return r;
      },
    },
  });
  ctx.shutdown.add('learner worker', () => worker.close());
  // After the worker: a cycle being finalized still gets its PBO.
  ctx.shutdown.add('pbo thread', () => pbo.close());
});
