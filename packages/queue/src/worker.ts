import { DelayedError, UnrecoverableError, Worker, type Job, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { PAYLOADS, type PayloadOf } from './contracts.js';
import { InvalidInputError, RateLimitedError, SkipError } from './errors.js';
import type { JobName, QueueName } from './names.js';

/** What a handler gets besides its parsed payload: never the BullMQ Job itself (STYLE P2). */
export interface JobContext {
  jobId: string;
  name: JobName;
  attempt: number;
  maxAttempts: number;
  signal: AbortSignal;
  /** Report progress (0..100 or an object). */
  progress: (p: number | object) => Promise<void>;
  /** Values returned by the job's children (flows), keyed by child job key. */
  childrenValues: () => Promise<Record<string, unknown>>;
  /** Failures of children that were ignored so the parent could run (flows). */
  ignoredFailures: () => Promise<Record<string, string>>;
}

export type Handler<N extends JobName> = (data: PayloadOf<N>, ctx: JobContext) => Promise<unknown>;
export type Handlers = { [N in JobName]?: Handler<N> };

export interface WorkerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface StartWorkerOptions {
  queue: QueueName;
  connection: Redis;
  prefix: string;
  handlers: Handlers;
  log: WorkerLogger;
  concurrency?: number;
  /** Records duration and outcome per job (prom-client histograms/counters). */
  observe?: (job: { queue: string; name: string; outcome: 'completed' | 'failed' | 'skipped'; seconds: number }) => void;
  workerOptions?: Partial<WorkerOptions>;
}

/**
 * A worker that parses every payload (a bad one fails at once: UnrecoverableError), calls the
 * handler by job name, and maps our error classes to BullMQ outcomes (STYLE P5): skip →
 * completed with the reason, rate-limited → delayed without burning an attempt, invalid →
 * unrecoverable; anything else is rethrown for the retry policy.
 */
export function startWorker(opts: StartWorkerOptions): Worker {
  const { log, handlers, queue } = opts;
  const processor = async (job: Job, token?: string, signal?: AbortSignal) => {
    const t0 = performance.now();
    const name = job.name as JobName;
    const observe = (outcome: 'completed' | 'failed' | 'skipped') =>
      opts.observe?.({ queue, name: job.name, outcome, seconds: (performance.now() - t0) / 1000 });
    const handler = handlers[name] as Handler<JobName> | undefined;
    if (!handler) {
      observe('failed');
      throw new UnrecoverableError(`no handler for job ${job.name} on queue ${queue}`);
    }
    const parsed = PAYLOADS[name].safeParse(job.data);
    if (!parsed.success) {
      observe('failed');
      throw new UnrecoverableError(`invalid ${job.name} payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    const ctx: JobContext = {
      jobId: job.id ?? '',
      name,
      attempt: job.attemptsMade + 1,
      maxAttempts: job.opts.attempts ?? 1,
      signal: signal ?? new AbortController().signal,
      progress: (p) => job.updateProgress(p),
      childrenValues: () => job.getChildrenValues(),
      ignoredFailures: () => job.getIgnoredChildrenFailures(),
    };
    try {
      const result = await handler(parsed.data as never, ctx);
      observe('completed');
      return result;
    } catch (err) {
      if (err instanceof SkipError) {
        observe('skipped');
        log.info({ jobId: job.id, name: job.name, reason: err.message }, 'job skipped');
        return { skipped: err.message };
      }
      if (err instanceof RateLimitedError) {
        observe('skipped');
        await job.moveToDelayed(Date.now() + err.retryAfterMs, token);
        throw new DelayedError();
      }
      observe('failed');
      if (err instanceof InvalidInputError) throw new UnrecoverableError(err.message);
      throw err;
    }
  };
  const worker = new Worker(queue, processor, {
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency ?? 1,
    autorun: true,
    ...opts.workerOptions,
  });
  worker.on('failed', (job, err) => {
    log.warn({ queue, jobId: job?.id, name: job?.name, attemptsMade: job?.attemptsMade, err: err.message }, 'job failed');
  });
  worker.on('error', (err) => log.error({ queue, err: err.message }, 'worker error'));
  return worker;
}

