import { QueueEvents } from 'bullmq';
import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { QUEUES, type QueueClient, type QueueName } from '@mastertrade/queue';
import { Counter, Gauge, Histogram, type Logger, type Registry } from '@mastertrade/runtime';
import type { Snapshot } from './snapshot.js';

/**
 * The system's gauges, read from the shared snapshot on each scrape (PostgreSQL is the source
 * of truth, Redis the queues): queue depths and workers, the running cycle's progress, the
 * last cycle's phase durations and pass rate, strategies by status, cycles by state.
 */
export function registerSystemMetrics(registry: Registry, snapshot: () => Promise<Snapshot>): void {
  const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge<string>, s: Snapshot) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const s = await snapshot().catch(() => null);
        this.reset();
        if (s) fill(this, s);
      },
    });

  gauge('mt_queue_jobs', 'Jobs per queue and state (waiting, active, delayed, completed, failed, waiting-children, prioritized)', ['queue', 'state'], (g, s) => {
    for (const [queue, states] of Object.entries(s.queues ?? {})) for (const [state, n] of Object.entries(states)) g.set({ queue, state }, n);
  });
  gauge('mt_queue_workers', 'Workers connected per queue', ['queue'], (g, s) => {
    for (const [queue, n] of Object.entries(s.workers ?? {})) g.set({ queue }, n);
  });
  gauge('mt_redis_up', '1 when the last snapshot could read the queues from Redis', [], (g, s) => g.set(s.queues ? 1 : 0));
  gauge('mt_cycle_running', '1 while a cycle is in flight', [], (g, s) => g.set(s.current ? 1 : 0));
  gauge('mt_cycle_members', 'Strategies of the running cycle by state (queued, done, failed, cancelled, total, passed)', ['state'], (g, s) => {
    if (!s.current) return;
    for (const [state, n] of Object.entries(s.current.counts)) g.set({ state }, n);
  });
  gauge('mt_cycle_progress_ratio', 'Share of the running cycle’s strategies processed (0..1; 0 when none runs)', [], (g, s) => {
    const c = s.current?.counts;
    g.set(c && c.total > 0 ? (c.done + c.failed + c.cancelled) / c.total : 0);
  });
  gauge('mt_last_cycle_duration_seconds', 'Phase durations of the last finished cycle (fetching, generating, backtesting, learning, total)', ['phase'], (g, s) => {
    for (const [phase, ms] of Object.entries(s.lastFinished?.timings ?? {})) g.set({ phase }, ms / 1000);
  });
  gauge('mt_last_cycle_pass_rate', 'Share of the last finished cycle’s backtested strategies that passed the filters', [], (g, s) => {
    const c = s.lastFinished;
    if (c) g.set(c.backtestedCount > 0 ? c.passedCount / c.backtestedCount : 0);
  });
  gauge('mt_last_cycle_finished_timestamp_seconds', 'When the last finished cycle finished (unix seconds)', [], (g, s) => {
    const at = s.lastFinished?.finishedAt;
    if (at) g.set(at.getTime() / 1000);
  });
  gauge('mt_last_cycle_strategies', 'Strategies of the last finished cycle by outcome (generated, backtested, passed, failed, promoted)', ['outcome'], (g, s) => {
    const c = s.lastFinished;
    if (!c) return;
    g.set({ outcome: 'generated' }, c.generatedCount);
    g.set({ outcome: 'backtested' }, c.backtestedCount);
    g.set({ outcome: 'passed' }, c.passedCount);
    g.set({ outcome: 'failed' }, c.failedCount);
    g.set({ outcome: 'promoted' }, c.promotedCount);
  });
  gauge('mt_strategies', 'Stored strategies by status', ['status'], (g, s) => {
    for (const [status, n] of Object.entries(s.strategies)) g.set({ status }, n);
  });
  gauge('mt_cycles', 'Cycles by state', ['state'], (g, s) => {
    for (const [state, n] of Object.entries(s.cycles)) g.set({ state }, n);
  });
}

/** Request latency by route template (never the raw URL: ids would explode the label set). */
export function httpMetrics(registry: Registry): RequestHandler {
  const duration = new Histogram({
    name: 'mt_http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return (req, res, next) => {
    const t0 = performance.now();
    res.on('finish', () => {
      const path = req.route?.path === undefined ? null : String(req.route.path);
      const route = path !== null ? `${req.baseUrl}${path === '/' && req.baseUrl ? '' : path}` : req.originalUrl.startsWith('/admin/queues') ? '/admin/queues' : 'other';
      duration.observe({ method: req.method, route, status: String(res.statusCode) }, (performance.now() - t0) / 1000);
    });
    next();
  };
}

export interface JobEventMetricsOptions {
  registry: Registry;
  queues: QueueClient;
  /** A blocking-capable connection per QueueEvents (the caller owns and closes them). */
  connection: (name: string) => Redis;
  prefix: string;
  log: Logger;
}

/**
 * Job durations and outcomes per queue, as the queues see them (every worker replica's jobs,
 * whichever process ran them): QueueEvents per queue, and for each finished job its wait
 * (enqueued → started) and processing (started → finished) time. The workers' own
 * `mt_job_duration_seconds` says the same per process; this one is the fleet-wide view.
 */
export async function startJobEventMetrics(o: JobEventMetricsOptions): Promise<() => Promise<void>> {
  const processing = new Histogram({
    name: 'mt_queue_job_duration_seconds',
    help: 'Processing time of finished jobs (started → finished) by queue, job name and outcome',
    labelNames: ['queue', 'job', 'outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [o.registry],
  });
  const waiting = new Histogram({
    name: 'mt_queue_job_wait_seconds',
    help: 'Time finished jobs waited before a worker started them (enqueued → started) by queue and job name',
    labelNames: ['queue', 'job'] as const,
    buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    registers: [o.registry],
  });
  const outcomes = new Counter({
    name: 'mt_queue_jobs_finished_total',
    help: 'Jobs that finished by queue, job name and outcome (completed|failed)',
    labelNames: ['queue', 'job', 'outcome'] as const,
    registers: [o.registry],
  });
  const listeners: QueueEvents[] = [];
  const observe = async (queue: QueueName, jobId: string, outcome: 'completed' | 'failed') => {
    const job = await o.queues.queue(queue).getJob(jobId);
    const name = job?.name ?? 'unknown';
    outcomes.inc({ queue, job: name, outcome });
    if (job?.processedOn && job.finishedOn) processing.observe({ queue, job: name, outcome }, Math.max(0, job.finishedOn - job.processedOn) / 1000);
    if (job?.processedOn && job.timestamp) waiting.observe({ queue, job: name }, Math.max(0, job.processedOn - (job.timestamp + (job.delay ?? 0))) / 1000);
  };
  for (const queue of Object.values(QUEUES)) {
    const ev = new QueueEvents(queue, { connection: o.connection(`events-${queue}`), prefix: o.prefix, autorun: true });
    // Listeners never throw (STYLE §3.5): a lookup that fails only loses one observation.
    ev.on('error', () => undefined);
    ev.on('completed', ({ jobId }) => void observe(queue, jobId, 'completed').catch((err: Error) => o.log.debug({ queue, jobId, err: err.message }, 'job metrics lookup failed')));
    ev.on('failed', ({ jobId }) => void observe(queue, jobId, 'failed').catch((err: Error) => o.log.debug({ queue, jobId, err: err.message }, 'job metrics lookup failed')));
    listeners.push(ev);
  }
  await Promise.all(listeners.map((l) => l.waitUntilReady()));
  return async () => {
    await Promise.allSettled(listeners.map((l) => l.close()));
  };
}
