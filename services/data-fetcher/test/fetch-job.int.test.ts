import { randomUUID } from 'node:crypto';
import { baseEnvSchema, loadConfig } from '@mastertrade/config';
import { candleStatus, createTestDatabase, openDb, type Db, type TestDatabase } from '@mastertrade/db';
import { QUEUES, QueueClient, startWorker } from '@mastertrade/queue';
import { QueueEvents, type Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetchCandlesHandler } from '../src/index.js';

const { REDIS_URL } = loadConfig(baseEnvSchema);
const prefix = `test-${randomUUID()}`;
const silent = { info: () => {}, warn: () => {}, error: () => {} };

describe('fetch.candles through BullMQ', () => {
  let tdb: TestDatabase;
  let db: Db;
  let redis: Redis;
  let workerRedis: Redis;
  let eventsRedis: Redis;
  let queues: QueueClient;
  let events: QueueEvents;
  let worker: Worker;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = openDb({ url: tdb.url });
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
    workerRedis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    eventsRedis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    queues = new QueueClient(redis, prefix);
    events = new QueueEvents(QUEUES.fetch, { connection: eventsRedis, prefix });
    await events.waitUntilReady();
    const handle = createFetchCandlesHandler({ db });
    worker = startWorker({ queue: QUEUES.fetch, connection: workerRedis, prefix, log: silent, handlers: { 'fetch.candles': (data, ctx) => handle(data, ctx) } });
  });
  afterAll(async () => {
    await worker?.close();
    await events?.close();
    await queues?.queue(QUEUES.fetch).obliterate({ force: true });
    await queues?.close();
    for (const r of [redis, workerRedis, eventsRedis]) r?.disconnect();
    await db?.close();
    await tdb?.drop();
  });

  it('stores the candles and returns a small summary', async () => {
    const job = await queues.add('fetch.candles', { exchange: 'embedded', symbols: ['BTCUSDT', 'ETHUSDT'], timeframe: '5m', days: 2 });
    const result = await job.waitUntilFinished(events, 60_000);
    expect(result).toMatchObject({ source: 'embedded', inserted: 2 * 2 * 288, gaps: 0 });
    expect((await candleStatus(db)).map((s) => [s.symbol, s.count])).toEqual([
      ['BTCUSDT', 576],
      ['ETHUSDT', 576],
    ]);
  });

  it('fails an unknown symbol at once, without retries', async () => {
    const job = await queues.add('fetch.candles', { exchange: 'embedded', symbols: ['NOPEUSDT'], timeframe: '5m', days: 1 });
    await expect(job.waitUntilFinished(events, 60_000)).rejects.toThrow(/the embedded set has no NOPEUSDT/);
    const failed = await queues.queue(QUEUES.fetch).getJob(job.id as string);
    expect(failed?.attemptsMade, 'invalid input is not retried').toBe(1);
  });
});
