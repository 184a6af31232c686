import { baseEnvSchema, loadConfig } from '@mastertrade/config';
import { openDb, type Db } from '@mastertrade/db';
import { QueueClient, datasetChannel, parseDatasetAnnouncement } from '@mastertrade/queue';
import { createLogger, createRedis, createRegistry, jobMetrics, Shutdown, startOpsServer, waitReady, type JobMetrics, type Logger, type Registry } from '@mastertrade/runtime';
import type { Redis } from 'ioredis';
import { z } from 'zod';

/** Env every pipeline service reads besides the shared base (`METRICS_PORT` 0 = any free port). */
export const serviceEnvSchema = baseEnvSchema.extend({
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
});

export interface ServiceContext<E> {
  env: E;
  log: Logger;
  db: Db;
  queues: QueueClient;
  /** A worker-role Redis connection factory (each BullMQ Worker gets its own). */
  workerConnection: (name: string) => Redis;
  registry: Registry;
  jobs: JobMetrics;
  shutdown: Shutdown;
}

/**
 * The composition root shared by the pipeline services (STYLE P7): validated env, JSON
 * logger, PostgreSQL, a fail-fast producer connection, ops HTTP server (/metrics, /healthz,
 * /readyz), and an ordered shutdown on SIGTERM/SIGINT. `start` registers the service's own
 * workers and timers and adds their closing steps; whatever it opened is closed if it throws.
 */
export async function runService<S extends typeof serviceEnvSchema>(
  name: string,
  schema: S,
  start: (ctx: ServiceContext<z.output<S>>) => Promise<void>,
  envSource: Record<string, string | undefined> = process.env,
): Promise<ServiceContext<z.output<S>>> {
  const env = loadConfig(schema, envSource);
  const log = createLogger(name, env.LOG_LEVEL);
  const shutdown = new Shutdown(log, env.SHUTDOWN_TIMEOUT_MS);
  const connections: Redis[] = [];
  const producer = createRedis(env.REDIS_URL, 'producer', `${name}-producer`, log);
  connections.push(producer);
  const db = openDb({ url: env.DATABASE_URL, applicationName: name });
  const queues = new QueueClient(producer, env.QUEUE_PREFIX);
  const registry = createRegistry(name);
  const ctx: ServiceContext<z.output<S>> = {
    env,
    log,
    db,
    queues,
    registry,
    jobs: jobMetrics(registry),
    shutdown,
    workerConnection: (conn) => {
      const r = createRedis(env.REDIS_URL, 'worker', `${name}-${conn}`, log);
      connections.push(r);
      return r;
    },
  };
  try {
    await waitReady(producer, 10_000);
    await db.pool.query('SELECT 1');
    const server = await startOpsServer(registry, env.METRICS_PORT, async () => {
      const [pgOk, redisOk] = await Promise.all([
        db.pool.query('SELECT 1').then(() => true, () => false),
        producer.ping().then(() => true, () => false),
      ]);
      return { ok: pgOk && redisOk, detail: { postgres: pgOk, redis: redisOk } };
    });
    const address = server.address();
    log.info({ port: typeof address === 'object' && address ? address.port : null, queuePrefix: env.QUEUE_PREFIX }, `${name} ops server listening`);
    shutdown.add('ops server', () => new Promise<void>((resolve) => server.close(() => resolve())));
    await start(ctx);
    shutdown.add('queues', () => queues.close());
    shutdown.add('redis', () => Promise.allSettled(connections.map((c) => c.quit().catch(() => c.disconnect()))));
    shutdown.add('postgres', () => db.close());
    shutdown.onSignals();
    log.info(`${name} started`);
    return ctx;
  } catch (err) {
    log.error({ err: (err as Error).message }, `${name} failed to start`);
    shutdown.add('queues', () => queues.close());
    shutdown.add('redis', () => Promise.allSettled(connections.map((c) => c.disconnect())));
    shutdown.add('postgres', () => db.close());
    await shutdown.close();
    throw err;
  }
}

/**
 * Calls `onDataset` with every dataset `cycle.start` announces on this queue prefix (see
 * QueueClient.announceDataset), on a subscriber connection of its own (closed with the service).
 */
export async function onDatasetAnnounced(ctx: ServiceContext<{ QUEUE_PREFIX: string }>, onDataset: (datasetId: string) => void): Promise<void> {
  const channel = datasetChannel(ctx.env.QUEUE_PREFIX);
  const events = ctx.workerConnection('dataset-events');
  events.on('message', (from: string, message: string) => {
    const datasetId = from === channel ? parseDatasetAnnouncement(message) : null;
    if (datasetId) onDataset(datasetId);
  });
  await events.subscribe(channel);
}

/** Records a job's outcome and duration with the service's job metrics. */
export function observeJobs(jobs: JobMetrics) {
  return (j: { queue: string; name: string; outcome: string; seconds: number }) => {
    jobs.duration.observe({ queue: j.queue, job: j.name, outcome: j.outcome }, j.seconds);
    jobs.outcomes.inc({ queue: j.queue, job: j.name, outcome: j.outcome });
  };
}
