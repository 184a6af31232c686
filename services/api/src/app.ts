import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express, { type Express } from 'express';
import type { Redis } from 'ioredis';
import type { Db } from '@mastertrade/db';
import { QUEUES, type QueueClient } from '@mastertrade/queue';
import type { Logger, Registry } from '@mastertrade/runtime';
import { requireKey } from './auth.js';
import type { RouteContext } from './context.js';
import { errorHandler, HttpError } from './errors.js';
import { httpMetrics, registerSystemMetrics } from './metrics.js';
import { buildOpenApi } from './openapi.js';
import { backtestsRouter } from './routes/backtests.js';
import { cyclesRouter } from './routes/cycles.js';
import { healthRouter } from './routes/health.js';
import { strategiesRouter } from './routes/strategies.js';
import { ReadCache } from './read-cache.js';
import { snapshotSource } from './snapshot.js';
import type { ScheduleConfig } from './status.js';

export interface AppDeps {
  db: Db;
  queues: QueueClient;
  /** A fail-fast (producer-role) Redis connection for /readyz; the caller owns it. */
  redis: Redis;
  /** The service's registry (default process metrics included); the API adds its own metrics to it. */
  registry: Registry;
  log: Logger;
  schedule: ScheduleConfig;
  /** Opens mutating routes and Bull Board; unset = they answer 401. */
  apiKey?: string | undefined;
  /** When set, read routes need it (or apiKey) too. */
  readKey?: string | undefined;
  bodyLimitBytes?: number;
  /** How long the status snapshot and cached list/status responses may be reused (ms); 0 = never. */
  snapshotTtlMs?: number;
  now?: () => number;
}

const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));
const UPLOT_DIR = dirname(createRequire(import.meta.url).resolve('uplot'));
const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/**
 * The HTTP API as an Express app, with no listening socket and no process-level state: main.ts
 * listens on API_PORT, tests on port 0. Order: metrics → health (open) → API (keys, JSON body
 * limit) → Bull Board (key) → the leaderboard page → JSON 404 → the error handler.
 */
export function createApp(deps: AppDeps): Express {
  const now = deps.now ?? Date.now;
  const snapshot = snapshotSource(deps.db, deps.queues, deps.snapshotTtlMs ?? 1000, now);
  registerSystemMetrics(deps.registry, snapshot);
  const cache = new ReadCache(deps.snapshotTtlMs ?? 1000, now);
  const ctx: RouteContext = { db: deps.db, queues: deps.queues, redis: deps.redis, log: deps.log, schedule: deps.schedule, snapshot, cache, now };
  const write = requireKey({ keys: [deps.apiKey] });
  const read = deps.readKey ? requireKey({ keys: [deps.readKey, deps.apiKey] }) : (_req: unknown, _res: unknown, next: () => void) => next();
  const guard = { write, read };
  const openapi = buildOpenApi(VERSION);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', false);
  app.use(httpMetrics(deps.registry));
  app.use(healthRouter(ctx, deps.registry));

  const api = express.Router();
  api.use(express.json({ limit: deps.bodyLimitBytes ?? 256 * 1024, strict: true }));
  api.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  api.use('/strategies', strategiesRouter(ctx, guard));
  api.use('/backtests', backtestsRouter(ctx, guard));
  api.use('/cycles', cyclesRouter(ctx, guard));
  api.use((req) => {
    throw new HttpError(404, 'not_found', `no route ${req.method} ${req.baseUrl}${req.path}`);
  });
  app.use('/api', api);

  const board = new ExpressAdapter();
  board.setBasePath('/admin/queues');
  createBullBoard({ queues: Object.values(QUEUES).map((q) => new BullMQAdapter(deps.queues.queue(q))), serverAdapter: board });
  app.use('/admin/queues', requireKey({ keys: [deps.apiKey], basicRealm: 'MasterTrade queues' }), board.getRouter() as express.Router);

  app.use('/vendor/uplot', express.static(UPLOT_DIR, { index: false, maxAge: '1d' }));
  app.use(express.static(PUBLIC_DIR, { index: 'index.html', maxAge: 0 }));
  app.use((req, res) => {
    res.status(404).json({ error: 'not_found', message: `no route ${req.method} ${req.path}` });
  });
  app.use(errorHandler(deps.log));
  return app;
}
