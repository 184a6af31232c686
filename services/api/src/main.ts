import type { Server } from 'node:http';
import { runService } from '@mastertrade/pipeline';
import { createRedis } from '@mastertrade/runtime';
import { createApp } from './app.js';
import { apiEnvSchema } from './env.js';
import { startJobEventMetrics } from './metrics.js';

/**
 * api: the HTTP API, Bull Board, /metrics and the leaderboard page on API_PORT. runService
 * gives env, logger, PostgreSQL, the fail-fast producer and the ordered shutdown; the HTTP
 * server is the first thing closed after the ops server (stop accepting, then finish requests).
 */
await runService('api', apiEnvSchema, async (ctx) => {
  const { env, log } = ctx;
  if (!env.API_KEY) log.warn('API_KEY is not set: mutating routes and Bull Board answer 401 (read-only API)');
  const readyRedis = createRedis(env.REDIS_URL, 'producer', 'api-readyz', log);
  const app = createApp({
    db: ctx.db,
    queues: ctx.queues,
    redis: readyRedis,
    registry: ctx.registry,
    log,
    schedule: { cron: env.CYCLE_CRON, cycleCount: env.CYCLE_COUNT, symbols: env.CYCLE_SYMBOLS, deadlineMs: env.CYCLE_DEADLINE_MS },
    apiKey: env.API_KEY,
    readKey: env.API_READ_KEY,
    bodyLimitBytes: env.API_BODY_LIMIT_BYTES,
    snapshotTtlMs: env.API_SNAPSHOT_TTL_MS,
  });
  const server: Server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(env.API_PORT, '0.0.0.0', (err?: Error) => (err ? reject(err) : resolve(s)));
  }).catch((err: unknown) => {
    readyRedis.disconnect();
    throw err;
  });
  server.keepAliveTimeout = 65_000;
  ctx.shutdown.add('http server', () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    return closed;
  });
  const stopJobMetrics = await startJobEventMetrics({ registry: ctx.registry, queues: ctx.queues, connection: ctx.workerConnection, prefix: env.QUEUE_PREFIX, log });
  ctx.shutdown.add('job event metrics', stopJobMetrics);
  ctx.shutdown.add('readyz redis', () => readyRedis.quit().catch(() => readyRedis.disconnect()));
  log.info({ port: env.API_PORT, readKey: Boolean(env.API_READ_KEY), writeKey: Boolean(env.API_KEY) }, 'api listening');
});
