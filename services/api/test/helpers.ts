import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Redis } from 'ioredis';
import { createTestDatabase, openDb, type Db, type TestDatabase } from '@mastertrade/db';
import { defaultCycleConfig, finalizeCycle, DatasetCache, runBatch, startCycle, type CycleConfig } from '@mastertrade/pipeline';
import { QUEUES, QueueClient } from '@mastertrade/queue';
import { createLogger, createRegistry, type Registry } from '@mastertrade/runtime';
import { createApp, type AppDeps } from '../src/app.js';
import { startJobEventMetrics } from '../src/metrics.js';

export const REDIS_URL = 'redis://127.0.0.1:6379';
export const API_KEY = 'test-key-0123456789abcdef';
export const READ_KEY = 'read-key-0123456789abcdef';

export interface TestApiOptions {
  tdb?: TestDatabase;
  prefix?: string;
  /** Default API_KEY; null = the server has no key (read-only API). */
  apiKey?: string | null;
  readKey?: string;
  bodyLimitBytes?: number;
  /** Read cache / snapshot TTL (default 0: every request reads PostgreSQL). */
  cacheTtlMs?: number;
  /** Listen to the queues' events for the job metrics (as main.ts does). */
  jobEvents?: boolean;
  schedule?: Partial<AppDeps['schedule']>;
}

/**
 * The API as main.ts builds it, on a random port, against a fresh migrated database and a
 * queue prefix of its own. `close()` stops the server, closes every connection it opened,
 * obliterates the prefix's queues and drops the database (unless the caller passed its own).
 */
export class TestApi {
  private constructor(
    readonly base: string,
    readonly db: Db,
    readonly tdb: TestDatabase,
    readonly prefix: string,
    readonly queues: QueueClient,
    readonly registry: Registry,
    private readonly server: Server,
    private readonly closers: (() => Promise<unknown>)[],
    private readonly ownsDb: boolean,
  ) {}

  static async start(o: TestApiOptions = {}): Promise<TestApi> {
    const tdb = o.tdb ?? (await createTestDatabase());
    const prefix = o.prefix ?? `test-${randomUUID()}`;
    const db = openDb({ url: tdb.url, maxConnections: 5, applicationName: 'api-test' });
    const producer = new Redis(REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 2, connectionName: 'api-test-producer' });
    producer.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      producer.once('ready', () => resolve());
      producer.once('error', reject);
    });
    const queues = new QueueClient(producer, prefix);
    const registry = createRegistry('api');
    const log = createLogger('api-test', 'silent');
    const closers: (() => Promise<unknown>)[] = [];
    const blocking: Redis[] = [];
    if (o.jobEvents) {
      const stop = await startJobEventMetrics({
        registry,
        queues,
        prefix,
        log,
        connection: (name) => {
          const r = new Redis(REDIS_URL, { maxRetriesPerRequest: null, connectionName: `api-test-${name}` });
          r.on('error', () => undefined);
          blocking.push(r);
          return r;
        },
      });
      closers.push(stop);
    }
    const app = createApp({
      db,
      queues,
      redis: producer,
      registry,
      log,
      schedule: { cron: '0 3 * * *', cycleCount: 500, symbols: ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'], deadlineMs: 3 * 3600_000, ...o.schedule },
      apiKey: o.apiKey === undefined ? API_KEY : (o.apiKey ?? undefined),
      readKey: o.readKey,
      bodyLimitBytes: o.bodyLimitBytes ?? 64 * 1024,
      snapshotTtlMs: o.cacheTtlMs ?? 0,
    });
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    closers.push(async () => {
      await Promise.allSettled(Object.values(QUEUES).map((q) => queues.queue(q).obliterate({ force: true })));
      await queues.close();
      await Promise.allSettled(blocking.map((r) => r.quit()));
      await producer.quit().catch(() => producer.disconnect());
    });
    return new TestApi(`http://127.0.0.1:${port}`, db, tdb, prefix, queues, registry, server, closers, !o.tdb);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    for (const c of this.closers) await c().catch(() => undefined);
    await this.db.close();
    if (this.ownsDb) await this.tdb.drop();
  }

  /** fetch against the server; `key` adds x-api-key, `body` is sent as JSON. */
  async call(method: string, path: string, o: { key?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; json: any; text: string; headers: Headers }> {
    const headers: Record<string, string> = { ...o.headers };
    if (o.key) headers['x-api-key'] = o.key;
    let body: string | undefined;
    if (o.rawBody !== undefined) body = o.rawBody;
    else if (o.body !== undefined) body = JSON.stringify(o.body);
    if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    return { status: res.status, json, text, headers: res.headers };
  }
}

/** Filters loose enough that every strategy with a trade passes, so results keep trades and curves. */
export const LOOSE_FILTERS = { minSharpe: -100, minWinRate: 0, minReturn: -1, maxReturn: 1000, minTrades: 1 };

/**
 * A real cycle run in this process with the pipeline's own steps (start → every batch →
 * finalize), no services needed: strategies, results, trades, curves and insights as the
 * workers would store them. The flow it enqueues under `queues` is never consumed.
 */
export async function runCycleInProcess(db: Db, queues: QueueClient, o: { count: number; seed: string; config?: Partial<CycleConfig> }): Promise<string> {
  const log = createLogger('api-test-pipeline', 'silent');
  const config = defaultCycleConfig({ batchSize: 5, filters: LOOSE_FILTERS, ...o.config });
  const cycleId = `test-${o.seed}`;
  const start = await startCycle(
    { cycleId, trigger: 'manual', count: o.count, seed: o.seed, symbols: ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'], deadlineMs: Date.now() + 3600_000 },
    { db, queues, log, config },
  );
  const datasets = new DatasetCache(db);
  const batches = await db.pool.query<{ batch: number; ids: string[] }>(`SELECT batch, array_agg(strategy_id) AS ids FROM cycle_strategies WHERE cycle_id = $1 GROUP BY batch ORDER BY batch`, [cycleId]);
  for (const b of batches.rows) {
    await runBatch({ cycleId, datasetId: start.datasetId, engineVersion: config.engineVersion, strategyIds: b.ids }, { db, datasets });
  }
  const done = await finalizeCycle(cycleId, { db, queues, log }, { reason: 'children_settled' });
  if (!done) throw new Error(`cycle ${cycleId} did not finalize`);
  return cycleId;
}
