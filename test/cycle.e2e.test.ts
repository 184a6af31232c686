import { describe, expect, it, vi } from 'vitest';
import { Harness, SYMBOLS } from './helpers/harness.js';

describe('a daily cycle through the real services (Redis + PostgreSQL)', () => {
  it('runs 30 strategies on the three embedded symbols end to end with 2 backtest workers', { timeout: 120_000 }, async () => {
    const h = await Harness.create();
    await h.recordResultWrites();
    // Lenient filters, so that some of the 30 pass and their trades and curves are stored.
    const { workers, learner } = await h.startPipeline({ workers: 2, env: { CYCLE_BATCH_SIZE: '5', FILTER_MIN_SHARPE: '0', FILTER_MIN_WIN_RATE: '0', FILTER_MIN_TRADES: '1' } });
    const { cycleId } = await h.enqueue({ count: 30, seed: 'e2e-full', symbols: SYMBOLS });
    const t0 = Date.now();
    const cycle = await h.waitForCycle(cycleId, { timeoutMs: 90_000 });
    const wallMs = Date.now() - t0;

    expect(cycle.state, 'the cycle finished normally').toBe('completed');
    expect(cycle.generatedCount).toBe(30);
    expect(cycle.backtestedCount).toBe(30);
    expect(cycle.failedCount).toBe(0);
    expect(cycle.finishedAt).not.toBeNull();
    expect(Object.keys(cycle.timings).sort()).toEqual(['backtesting', 'fetching', 'generating', 'learning', 'total']);

    const members = await h.members(cycleId);
    expect(members).toHaveLength(30);
    expect(members.filter((m) => m.state !== 'done'), 'every member done').toEqual([]);
    expect(members.filter((m) => m.results !== 1), 'exactly one result per member').toEqual([]);
    const writes = await h.resultWrites();
    expect([...writes.values()].filter((n) => n !== 1), 'each result written once').toEqual([]);
    expect(writes.size).toBe(30);

    const stored = await h.db.pool.query<{ passed: boolean; trades: number; rows: number; curve: boolean }>(
      `SELECT r.passed, r.trades, (SELECT count(*)::int FROM trades t WHERE t.result_id = r.id) AS rows,
              EXISTS (SELECT 1 FROM equity_curves c WHERE c.result_id = r.id) AS curve
       FROM backtest_results r WHERE r.cycle_id = $1`,
      [cycleId],
    );
    expect(stored.rows.filter((r) => r.passed).length, 'some strategies passed (fixed seed), so the next check says something').toBeGreaterThan(0);
    expect(stored.rows.filter((r) => r.passed && (r.rows !== r.trades || !r.curve)), 'a passed strategy keeps every trade and its curve').toEqual([]);
    expect(stored.rows.filter((r) => !r.passed && (r.rows > 0 || r.curve)), 'the others keep neither').toEqual([]);
    const learned = await h.db.pool.query<{ kind: string }>(`SELECT kind FROM learning_insights WHERE cycle_id = $1 ORDER BY kind`, [cycleId]);
    expect(learned.rows.map((r) => r.kind), 'the learner stored its insights').toEqual(expect.arrayContaining(['patterns', 'statistics']));
    const population = await h.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ga_population WHERE cycle_id = $1`, [cycleId]);
    expect(population.rows[0]?.n, 'the GA population was saved').toBeGreaterThan(0);

    // The learner commits the cycle before its job completes in Redis: wait for the job too.
    const counts = await vi.waitFor(
      async () => {
        const c = await h.jobCounts();
        expect(c.learner.completed, 'the learner ran once').toBe(1);
        return c;
      },
      { timeout: 15_000, interval: 200 },
    );
    expect(counts.backtest.failed, 'no backtest job failed').toBe(0);
    expect(counts.backtest.completed, 'six batches of five').toBe(6);
    expect(
      workers.map((w) => w.messages('dataset preloaded').map((m) => m.datasetId)),
      'each worker preloaded the announced dataset',
    ).toEqual(workers.map(() => [cycle.datasetId]));
    expect(learner.messages('dataset preloaded').map((m) => m.datasetId), 'and so did the learner, for its bias gate').toEqual([cycle.datasetId]);
    // The cycle's PBO came from the learner's PBO thread, not from the fallback in its main thread.
    const selection = await h.db.pool.query<{ data: { pbo: { splits: number; strategies: number } | null } }>(
      `SELECT data FROM learning_insights WHERE cycle_id = $1 AND kind = 'selection'`,
      [cycleId],
    );
    expect(selection.rows[0]?.data.pbo, 'PBO over all 30 strategies, C(16, 8) splits').toMatchObject({ splits: 12870, strategies: 30 });
    expect(learner.messages('PBO thread failed; computing the PBO in the learner'), 'the thread answered').toEqual([]);
    expect(learner.messages('cycle finished')[0]?.stepsMs, 'the learner timed its steps').toHaveProperty('pboWait');
    const perWorker = workers.map((w) => w.messages('backtest batch done').length);
    console.info(`full cycle: 30 strategies in ${wallMs} ms wall; timings ${JSON.stringify(cycle.timings)}; batches per worker ${perWorker.join('/')}`);
  });
});
