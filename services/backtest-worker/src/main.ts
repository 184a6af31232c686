import { fileURLToPath } from 'node:url';
import { Worker } from 'bullmq';
import { runService, serviceEnvSchema } from '@mastertrade/pipeline';
import { QUEUES } from '@mastertrade/queue';
import { z } from 'zod';

const schema = serviceEnvSchema.extend({
  /** Jobs at once per process; scale by adding processes (replicas), not by raising this (STYLE P8). */
  BACKTEST_CONCURRENCY: z.coerce.number().int().min(1).max(8).default(1),
  /** Lock held per job; renewed from the main thread while the sandbox computes. */
  BACKTEST_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  /**
   * How often this worker looks for jobs whose lock expired (a worker that died mid-batch) and
   * puts them back to wait. A crashed batch resumes within lock + interval; BullMQ's default.
   */
  BACKTEST_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).default(30_000),
});

/** The sandboxed processor (compiled JS next to this file). */
const PROCESSOR = fileURLToPath(new URL('./processors/backtest-run.js', import.meta.url));

/**
 * backtest-worker: `backtest.run` batches in a worker thread (the CPU-bound engine never
 * blocks lock renewal on this thread); one job at a time, replicas for scale.
 */
await runService('backtest-worker', schema, async (ctx) => {
  const { env, log } = ctx;
  const worker = new Worker(QUEUES.backtest, PROCESSOR, {
    connection: ctx.workerConnection('backtest-worker'),
    prefix: env.QUEUE_PREFIX,
    concurrency: env.BACKTEST_CONCURRENCY,
    useWorkerThreads: true,
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
  ctx.shutdown.add('backtest worker', () => worker.close());
});
