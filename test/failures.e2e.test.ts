import { describe, expect, it, vi } from 'vitest';
import { Harness } from './helpers/harness.js';

describe('a backtest that fails does not stop the cycle', () => {
  it('completes with only the failing strategies marked failed: a document the schema refuses, a symbol without data, a child job that throws on every attempt', { timeout: 150_000 }, async () => {
    const h = await Harness.create();
    // Generator and learner first: the flow is enqueued but nothing runs until the faults are in place.
    await h.start('generator', { CYCLE_BATCH_SIZE: '5' });
    await h.start('learner');
    const { cycleId } = await h.enqueue({ count: 20, seed: 'e2e-failures' });
    await h.waitForCycle(cycleId, { states: ['backtesting'], timeoutMs: 60_000 });
    const members = await h.members(cycleId);
    const invalid = members.find((m) => m.batch === 0);
    const noData = members.find((m) => m.batch === 1);
    const throwing = members.find((m) => m.batch === 2);
    if (!invalid || !noData || !throwing) throw new Error('expected batches 0, 1 and 2');

    // Fault 1: a document the strategy schema refuses (the engine never sees it).
    await h.db.pool.query(`UPDATE strategies SET document = '{"type": "no_such_type", "symbols": []}'::jsonb WHERE id = $1`, [invalid.strategyId]);
    // Fault 2: a valid document on a symbol the cycle's dataset has no candles for.
    await h.db.pool.query(`UPDATE strategies SET document = jsonb_set(document, '{symbols}', '["XRPUSDT"]') WHERE id = $1`, [noData.strategyId]);
    // Fault 3: storing this strategy's result always fails, so its batch job throws on every attempt.
    await h.db.pool.query(`
      CREATE FUNCTION test_refuse_result() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.strategy_id = '${throwing.strategyId}' THEN RAISE EXCEPTION 'injected write failure'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER test_refuse_result BEFORE INSERT OR UPDATE ON backtest_results FOR EACH ROW EXECUTE FUNCTION test_refuse_result();`);
    await h.start('backtest-worker');

    const cycle = await h.waitForCycle(cycleId, { timeoutMs: 120_000 });
    expect(cycle.state, 'a failed strategy or batch does not make the cycle partial').toBe('completed');
    const after = new Map((await h.members(cycleId)).map((m) => [m.strategyId, m]));
    expect(after.get(invalid.strategyId)).toMatchObject({ state: 'failed', results: 0, error: expect.stringMatching(/^StrategyValidationError: /) });
    expect(after.get(noData.strategyId)).toMatchObject({ state: 'failed', results: 0, error: expect.stringMatching(/^DataError: XRPUSDT .*no candles/) });
    expect(after.get(throwing.strategyId)).toMatchObject({ state: 'failed', results: 0, error: expect.stringMatching(/^backtest job failed: .*injected write failure/s) });

    // Each fault fails its own strategy only: the rest of each batch ran.
    const failed = [...after.values()].filter((m) => m.state !== 'done');
    expect(failed.map((m) => m.strategyId).sort(), 'only the three faulty strategies failed').toEqual([invalid.strategyId, noData.strategyId, throwing.strategyId].sort());
    expect([...after.values()].filter((m) => m.state === 'done' && m.results !== 1), 'one result per done member').toEqual([]);
    expect(failed.every((m) => m.state === 'failed' && m.error), 'every member that did not run says why').toBe(true);
    expect(cycle.failedCount).toBe(failed.length);
    expect(cycle.backtestedCount).toBe(20 - failed.length);

    // The learner commits the cycle before its job completes in Redis: wait for the job too.
    const counts = await vi.waitFor(
      async () => {
        const c = await h.jobCounts();
        expect(c.learner.completed, 'the learner was not left waiting for its children').toBe(1);
        return c;
      },
      { timeout: 15_000, interval: 200 },
    );
    expect(counts.backtest.failed, 'the throwing batch failed after its attempts').toBe(1);
    const attempts = h.logs.filter((l) => l.json?.msg === 'job failed').length;
    expect(attempts, 'the throwing batch was retried (3 attempts)').toBe(3);
  });
});
