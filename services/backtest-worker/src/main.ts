import { setFlagsFromString } from 'node:v8';
import { Worker } from 'bullmq';
import { onDatasetAnnounced, runService, serviceEnvSchema } from '@mastertrade/pipeline';
import { QUEUES } from '@mastertrade/queue';
import { z } from 'zod';
import { EngineThreads } from './engine-threads.js';

const schema = serviceEnvSchema.extend({
  /** Jobs at once per process; scale by adding processes (replicas), not by raising this (STYLE P8). */
  BACKTEST_CONCURRENCY: z.coerce.number().int().min(1).max(8).default(1),
  /** Lock held per job; renewed from the main thread while the sandbox computes. */
  BACKTEST_LOCK_MS: z.coerce.number().int().min(250).default(30_000),
  /**
   * How often this worker looks for jobs whose lock expired (a worker that died mid-batch) and
   * puts them back to wait. A crashed batch resumes within lock + interval; BullMQ's default.
   */
  BACKTEST_STALLED_INTERVAL_MS: z.coerce.number().int().min(250).default(30_000),
  /**
   * Old-generation size (MB) an engine thread's heap starts with. A batch keeps results, trade
   * lists and query rows alive long enough to reach the old generation, and from V8's small
   * default start (and cautious growth) that cost a full mark-compact every ~150 ms of
   * backtesting: 10 per 500-strategy cycle and a third of a core in V8's marking threads.
   * With 256 MB: 3. 0 keeps V8's default.
   */
  BACKTEST_HEAP_MB: z.coerce.number().int().min(0).max(16_384).default(256),
});

/** The engine thread's entry (compiled JS next to this file). */
const ENGINE_THREAD = new URL('./engine-thread.js', import.meta.url);

/**
 * backtest-worker: `backtest.run` batches in long-lived engine threads, started and warmed up
 * with the service (the CPU-bound engine never blocks lock renewal on this thread); one job at
 * a time, replicas for scale.
 */
await runService('backtest-worker', schema, async (ctx) => {
  const { env, log } = ctx;
  // Read when a thread's isolate is created, so it applies to the engine threads started below.
  if (env.BACKTEST_HEAP_MB > 0) setFlagsFromString(`--initial-old-space-size=${env.BACKTEST_HEAP_MB}`);
  const threads = new EngineThreads(ENGINE_THREAD, env.BACKTEST_CONCURRENCY, log);
  const warm = await threads.ready();
  log.info({ threads: warm.length, warmUpMs: Math.round(Math.max(...warm.map((w) => w.warmUpMs))), strategies: warm[0]?.strategies }, 'engine threads warmed up');
  // A cycle's dataset is announced when it is fixed: read it while the strategies are generated.
  await onDatasetAnnounced(ctx, (datasetId) => threads.preload(datasetId));
  const worker = new Worker(QUEUES.backtest, (job) => threads.run(job.name, job.data), {
    connection: ctx.workerConnection('backtest-worker'),
    prefix: env.QUEUE_PREFIX,
    concurrency: env.BACKTEST_CONCURRENCY,
    lockDuration: env.BACKTEST_LOCK_MS,
    stalledInterval: env.BACKTEST_STALLED_INTERVAL_MS,
  });
  const started = new Map<string, number>();
  worker.on('active', (job) => started.set(job.id ?? '', performance.now()));
  const observe = (job: { id?: string | undefined; name: string }, outcome: 'completed' | 'failed') => {
    const t0 = started.get(job.id ?? '');
    started.delete(job.id ?? '');
    const seconds = t0 === undefined ? 0 : (performance.now() - t0) / 1000;
    ctx.jobs.duration.observe({ queue: QUEUES.backtest, job: job.name, outcome }, seconds);
    ctx.jobs.outcomes.inc({ queue: QUEUES.backtest, job: job.name, outcome });
  };
  worker.on('completed', (job, result) => {
    observe(job, 'completed');
    log.debug({ jobId: job.id, result }, 'backtest batch done');
  });
  worker.on('failed', (job, err) => {
    if (job) observe(job, 'failed');
    log.warn({ queue: QUEUES.backtest, jobId: job?.id, name: job?.name, attemptsMade: job?.attemptsMade, err: err.message }, 'job failed');
  });
  worker.on('stalled', (jobId) => log.warn({ jobId }, 'job stalled'));
  worker.on('error', (err) => log.error({ err: err.message }, 'worker error'));
  // In this order: the active batch finishes (worker.close waits for it), then the threads stop.
  ctx.shutdown.add('backtest worker', () => worker.close());
  ctx.shutdown.add('engine threads', () => threads.close());
});
