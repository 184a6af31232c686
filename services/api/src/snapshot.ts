import { activeCycles, memberCounts, type CycleRow, type Db } from '@mastertrade/db';
import { QUEUES, type QueueClient, type QueueName } from '@mastertrade/queue';
import { cyclesByState, latestFinishedCycle, latestInsights, latestStartedCycle, learningTotals, strategiesByStatus } from './adapters/read-model.js';

export type MemberCounts = Awaited<ReturnType<typeof memberCounts>>;

/**
 * What the pipeline status route and the Prometheus gauges report: one consistent read of
 * PostgreSQL and Redis, shared by every caller for `ttlMs` (dashboards and scrapers poll; the
 * numbers move per backtest batch, not per request).
 */
export interface Snapshot {
  takenAt: number;
  active: CycleRow[];
  /** The newest cycle in flight, with its member counts. */
  current: { cycle: CycleRow; counts: MemberCounts } | null;
  lastStarted: CycleRow | null;
  lastFinished: CycleRow | null;
  strategies: Record<string, number>;
  cycles: Record<string, number>;
  learning: { analysed: number; patternsTracked: number; successPatterns: number; failurePatterns: number; cycleId: string | null; at: Date | null };
  /** Job counts per queue and state; null when Redis did not answer. */
  queues: Record<QueueName, Record<string, number>> | null;
  /** Connected workers per queue; null when Redis did not answer. */
  workers: Record<QueueName, number> | null;
}

const REDIS_TIMEOUT_MS = 2000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]);
}

async function take(db: Db, queues: QueueClient, now: number): Promise<Snapshot> {
  const pool = db.pool;
  const redis = withTimeout(
    Promise.all([
      queues.counts(),
      Promise.all(Object.values(QUEUES).map(async (q) => [q, await queues.queue(q).getWorkersCount()] as const)).then((e) => Object.fromEntries(e) as Record<QueueName, number>),
    ]),
    REDIS_TIMEOUT_MS,
    'queue counts',
  ).catch(() => null);
  const [active, lastStarted, lastFinished, strategies, cycles, totals, insights, counts] = await Promise.all([
    activeCycles(pool),
    latestStartedCycle(pool),
    latestFinishedCycle(pool),
    strategiesByStatus(pool),
    cyclesByState(pool),
    learningTotals(pool),
    latestInsights(pool),
    redis,
  ]);
  const newest = active.at(-1) ?? null;
  const stats = insights.find((i) => i.kind === 'statistics') ?? null;
  const len = (v: unknown) => (Array.isArray(v) ? v.length : 0);
  return {
    takenAt: now,
    active,
    current: newest ? { cycle: newest, counts: await memberCounts(pool, newest.id) } : null,
    lastStarted,
    lastFinished,
    strategies,
    cycles,
    learning: {
      analysed: totals.analysed,
      patternsTracked: totals.patternsTracked,
      successPatterns: len(stats?.data.successPatterns),
      failurePatterns: len(stats?.data.failurePatterns),
      cycleId: stats?.cycleId ?? null,
      at: stats?.createdAt ?? null,
    },
    queues: counts ? counts[0] : null,
    workers: counts ? counts[1] : null,
  };
}

/** A snapshot source: at most one read in flight, results reused for `ttlMs`. */
export function snapshotSource(db: Db, queues: QueueClient, ttlMs: number, now: () => number = Date.now): () => Promise<Snapshot> {
  let last: Snapshot | null = null;
  let inFlight: Promise<Snapshot> | null = null;
  return () => {
    if (last && now() - last.takenAt < ttlMs) return Promise.resolve(last);
    inFlight ??= take(db, queues, now())
      .then((s) => {
        last = s;
        return s;
      })
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };
}
