import { randomUUID } from 'node:crypto';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { onTestFailed, onTestFinished } from 'vitest';
import { createTestDatabase, FINAL_STATES, getCycle, openDb, type CycleRow, type Db, type TestDatabase } from '@mastertrade/db';
import { enqueueCycle, type EnqueueCycleOptions } from '@mastertrade/pipeline';
import { QUEUES, QueueClient, type QueueName } from '@mastertrade/queue';
import { ServiceProcess, type LogLine, type ServiceName } from './service-process.js';

/** The embedded data set's symbols (what a real cycle uses). */
export const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'];
/** What the reliability tests use unless they ask for more: one symbol is a third of the seeding, loading and backtesting. */
export const E2E_SYMBOLS = ['BTCUSDT'];

export interface HarnessOptions {
  /** Redis to use (default: the machine's, 127.0.0.1:6379); the prefix keeps tests apart. */
  redisUrl?: string;
  /** Env every service of this harness gets (on top of the harness defaults). */
  env?: Record<string, string>;
}

export interface WaitForCycleOptions {
  timeoutMs?: number;
  /** States that end the wait (default: completed, partial, failed). */
  states?: readonly string[];
}

/**
 * Everything one end-to-end test owns: a fresh migrated database, a queue prefix
 * `test-<uuid>`, the service processes it spawned (their JSON logs in one buffer, printed if
 * the test fails), and a producer to enqueue with. Created inside a test, it cleans up after
 * that test by itself: processes stopped, the prefix's Redis keys deleted, database dropped.
 */
export class Harness {
  readonly prefix = `test-${randomUUID()}`;
  readonly logs: LogLine[] = [];
  readonly processes: ServiceProcess[] = [];
  readonly #closers: (() => Promise<unknown>)[] = [];
  readonly #started = new Map<ServiceName, number>();
  #producer: Redis | null = null;
  #queues: QueueClient | null = null;
  #cleaned: Promise<void> | null = null;

  private constructor(
    readonly tdb: TestDatabase,
    readonly db: Db,
    readonly redisUrl: string,
    readonly baseEnv: Record<string, string>,
  ) {}

  static async create(opts: HarnessOptions = {}): Promise<Harness> {
    const tdb = await createTestDatabase();
    const db = openDb({ url: tdb.url, maxConnections: 3, applicationName: 'e2e-test' });
    const redisUrl = opts.redisUrl ?? 'redis://127.0.0.1:6379';
    const h = new Harness(tdb, db, redisUrl, opts.env ?? {});
    try {
      onTestFailed(() => h.printLogs());
      onTestFinished(() => h.cleanup());
    } catch {
      // Outside a running test (bench, beforeAll): the caller cleans up.
    }
    return h;
  }

  /** The env a service of this test runs with. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      DATABASE_URL: this.tdb.url,
      REDIS_URL: this.redisUrl,
      QUEUE_PREFIX: this.prefix,
      LOG_LEVEL: 'debug',
      METRICS_PORT: '0',
      DATA_SOURCE: 'embedded',
      // A third of the embedded 90 days: the reliability tests need many batches, not long ones.
      CYCLE_DAYS: '30',
      RECONCILE_INTERVAL_MS: '2000',
      SHUTDOWN_TIMEOUT_MS: '20000',
      ...this.baseEnv,
      ...extra,
    };
  }

  async start(name: ServiceName, extra: Record<string, string> = {}, label?: string): Promise<ServiceProcess> {
    // Numbered before the first await, so replicas started together get distinct labels.
    const n = (this.#started.get(name) ?? 0) + 1;
    this.#started.set(name, n);
    const p = await ServiceProcess.start({ name, label: label ?? `${name}#${n}`, env: this.env(extra), sink: this.logs });
    this.processes.push(p);
    return p;
  }

  /** generator, learner and `workers` backtest-workers, started together. */
  async startPipeline(o: { workers: number; env?: Record<string, string>; workerEnv?: Record<string, string> }): Promise<{ generator: ServiceProcess; learner: ServiceProcess; workers: ServiceProcess[] }> {
    const [generator, learner, ...workers] = await Promise.all([
      this.start('generator', o.env),
      this.start('learner', o.env),
      ...Array.from({ length: o.workers }, () => this.start('backtest-worker', { ...o.env, ...o.workerEnv })),
    ]);
    return { generator: generator as ServiceProcess, learner: learner as ServiceProcess, workers };
  }

  /** Services still running. */
  running(name?: ServiceName): ServiceProcess[] {
    return this.processes.filter((p) => p.running && (!name || p.name === name));
  }

  /** SIGTERM every running service and wait for each to exit. */
  async stopAll(): Promise<void> {
    await Promise.all(this.running().map((p) => p.stop()));
  }

  /** The test's producer (fail-fast connection, as the services' producers are). */
  async queues(): Promise<QueueClient> {
    if (!this.#queues) {
      this.#producer = new Redis(this.redisUrl, { enableOfflineQueue: true, maxRetriesPerRequest: 2, connectionName: 'e2e-producer' });
      this.#producer.on('error', () => undefined);
      this.#queues = new QueueClient(this.#producer, this.prefix);
    }
    return this.#queues;
  }

  /** A QueueEvents listener on one of this test's queues, closed at cleanup. */
  async events(queue: QueueName): Promise<QueueEvents> {
    const conn = new Redis(this.redisUrl, { maxRetriesPerRequest: null, connectionName: 'e2e-events' });
    conn.on('error', () => undefined);
    const ev = new QueueEvents(queue, { connection: conn, prefix: this.prefix, autorun: true });
    ev.on('error', () => undefined);
    await ev.waitUntilReady();
    this.#closers.push(async () => {
      await ev.close().catch(() => undefined);
      conn.disconnect();
    });
    return ev;
  }

  /** Enqueues a cycle the way the API and the scheduler do (`enqueueCycle`). */
  async enqueue(o: Partial<EnqueueCycleOptions> & { count: number }): Promise<{ cycleId: string; jobId: string }> {
    return enqueueCycle(await this.queues(), { trigger: 'manual', symbols: E2E_SYMBOLS, ...o });
  }

  async cycle(cycleId: string): Promise<CycleRow | null> {
    return getCycle(this.db.pool, cycleId);
  }

  /**
   * Polls PostgreSQL until the cycle reaches one of `states` (default: a final state). Fails
   * early, with the reason, if a service crashed on its own.
   */
  async waitForCycle(cycleId: string, o: WaitForCycleOptions = {}): Promise<CycleRow> {
    const states = o.states ?? FINAL_STATES;
    const timeoutMs = o.timeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const c = await this.cycle(cycleId);
      if (c && states.includes(c.state)) return c;
      const crashed = this.processes.find((p) => !p.running && !p.stoppedByTest);
      if (crashed) throw new Error(`${crashed.label} exited on its own (${JSON.stringify(crashed.exit)}) while waiting for cycle ${cycleId}`);
      if (Date.now() > deadline) {
        throw new Error(`cycle ${cycleId} not in [${states.join(', ')}] after ${timeoutMs} ms: state ${c?.state ?? 'missing'}, members ${JSON.stringify(await this.memberStateCounts(cycleId))}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Waits until at least `n` members of the cycle are in `state` (done by default). */
  async waitForMembers(cycleId: string, n: number, o: { state?: string; timeoutMs?: number } = {}): Promise<number> {
    const deadline = Date.now() + (o.timeoutMs ?? 60_000);
    for (;;) {
      const counts = await this.memberStateCounts(cycleId);
      const have = counts[o.state ?? 'done'] ?? 0;
      if (have >= n) return have;
      if (Date.now() > deadline) throw new Error(`cycle ${cycleId}: ${have} members ${o.state ?? 'done'} (wanted ${n}): ${JSON.stringify(counts)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async memberStateCounts(cycleId: string): Promise<Record<string, number>> {
    const r = await this.db.pool.query<{ state: string; n: number }>(`SELECT state, count(*)::int AS n FROM cycle_strategies WHERE cycle_id = $1 GROUP BY state`, [cycleId]);
    return Object.fromEntries(r.rows.map((x) => [x.state, x.n]));
  }

  /** Every member with its state, error and how many results it has on the cycle's dataset and engine. */
  async members(cycleId: string): Promise<MemberRow[]> {
    const r = await this.db.pool.query<MemberRow>(
      `SELECT cs.strategy_id AS "strategyId", cs.origin, cs.batch, cs.state, cs.error, count(br.id)::int AS results
       FROM cycle_strategies cs JOIN cycles c ON c.id = cs.cycle_id
       LEFT JOIN backtest_results br ON br.strategy_id = cs.strategy_id AND br.dataset_id = c.dataset_id AND br.engine_version = c.config->>'engineVersion'
       WHERE cs.cycle_id = $1 GROUP BY cs.strategy_id, cs.origin, cs.batch, cs.state, cs.error ORDER BY cs.batch, cs.strategy_id`,
      [cycleId],
    );
    return r.rows;
  }

  /**
   * Test-only observation hook in this test's own database: a trigger records every write of a
   * backtest result (the insert, and each upsert that rewrites `result`), so a test can count
   * how often each strategy was computed and stored. The learner's `passed` update is not one.
   */
  async recordResultWrites(): Promise<void> {
    await this.db.pool.query(`
      CREATE TABLE test_result_writes (strategy_id text NOT NULL, op text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp());
      CREATE FUNCTION test_record_result_write() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO test_result_writes (strategy_id, op) VALUES (NEW.strategy_id, TG_OP); RETURN NEW; END $$;
      CREATE TRIGGER test_record_result_write AFTER INSERT OR UPDATE OF result ON backtest_results
        FOR EACH ROW EXECUTE FUNCTION test_record_result_write();`);
  }

  /** Writes per strategy recorded by `recordResultWrites`. */
  async resultWrites(): Promise<Map<string, number>> {
    const r = await this.db.pool.query<{ strategy_id: string; n: number }>(`SELECT strategy_id, count(*)::int AS n FROM test_result_writes GROUP BY strategy_id`);
    return new Map(r.rows.map((x) => [x.strategy_id, x.n]));
  }

  /** Job counts of every queue under this test's prefix. */
  async jobCounts(): Promise<Record<QueueName, Record<string, number>>> {
    return (await this.queues()).counts();
  }

  printLogs(): void {
    const lines = this.logs.map((l) => `[${l.label}] ${l.text}`);
    process.stderr.write(`\n----- service logs (${this.prefix}, ${lines.length} lines) -----\n${lines.join('\n')}\n----- end of service logs -----\n`);
  }

  /** Stops processes, deletes the prefix's Redis keys, drops the database. Runs once. */
  cleanup(): Promise<void> {
    this.#cleaned ??= (async () => {
      await Promise.allSettled(this.processes.map((p) => p.stop(10_000)));
      if (process.env.E2E_PRINT_LOGS === '1') this.printLogs();
      await Promise.allSettled(this.#closers.map((c) => c()));
      if (this.#queues) {
        // Obliterate every queue of the prefix, then sweep any key left under it (events streams, flows).
        await Promise.allSettled(Object.values(QUEUES).map((q) => this.#queues?.queue(q).obliterate({ force: true })));
        await this.#queues.close();
      }
      await deletePrefix(this.redisUrl, this.prefix).catch(() => undefined);
      this.#producer?.disconnect();
      await this.db.close().catch(() => undefined);
      await this.tdb.drop();
    })();
    return this.#cleaned;
  }
}

export interface MemberRow {
  strategyId: string;
  origin: string;
  batch: number;
  state: 'queued' | 'done' | 'failed' | 'cancelled';
  error: string | null;
  results: number;
}

/** Deletes every key under `<prefix>:` (what obliterate leaves behind, or everything if Redis lost the queues' metadata). */
export async function deletePrefix(redisUrl: string, prefix: string): Promise<void> {
  const r = new Redis(redisUrl, { maxRetriesPerRequest: 1, retryStrategy: () => null, connectionName: 'e2e-cleanup' });
  r.on('error', () => undefined);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}
