import { describe, expect, it } from 'vitest';
import { QUEUES } from '@mastertrade/queue';
import { Harness, type MemberRow } from './helpers/harness.js';
import { RedisServer } from './helpers/redis-server.js';

/** Every member done, with exactly one result row on the cycle's (strategy, dataset, engine) key. */
function expectEveryMemberDoneOnce(members: MemberRow[], count: number): void {
  expect(members, 'the cycle kept all its members').toHaveLength(count);
  expect(members.filter((m) => m.state !== 'done'), 'every member done').toEqual([]);
  expect(members.filter((m) => m.results !== 1), 'exactly one result per member (none lost, none duplicated)').toEqual([]);
}

/** Strategies per cycle: enough that each fault lands mid-cycle even on a quiet machine (a batch of 4 takes ~30 ms). */
const COUNT = 80;

describe('the cycle survives crashes and restarts', () => {
  it('completes after a backtest worker is killed with SIGKILL mid-batch', { timeout: 150_000 }, async () => {
    const h = await Harness.create();
    await h.recordResultWrites();
    // A short lock and stalled check so the dead worker's batch comes back within seconds.
    const { workers } = await h.startPipeline({ workers: 2, env: { CYCLE_BATCH_SIZE: '4' }, workerEnv: { BACKTEST_LOCK_MS: '2000', BACKTEST_STALLED_INTERVAL_MS: '1000' } });
    const events = await h.events(QUEUES.backtest);
    const stalled: string[] = [];
    events.on('stalled', ({ jobId }) => stalled.push(jobId));
    const backtest = (await h.queues()).queue(QUEUES.backtest);

    const { cycleId } = await h.enqueue({ count: COUNT, seed: 'e2e-kill' });
    await h.waitForMembers(cycleId, 4, { timeoutMs: 90_000 });
    // Kill only while both workers hold a job, so the victim dies mid-batch.
    const deadline = Date.now() + 60_000;
    while ((await backtest.getActiveCount()) < 2) {
      if (Date.now() > deadline) throw new Error('the two workers were never busy at once');
      await new Promise((r) => setTimeout(r, 20));
    }
    const victim = workers[0];
    if (!victim) throw new Error('no worker');
    const exit = await victim.kill();
    const doneAtKill = (await h.memberStateCounts(cycleId)).done ?? 0;

    const cycle = await h.waitForCycle(cycleId, { timeoutMs: 120_000 });
    expect(exit.signal).toBe('SIGKILL');
    expect(cycle.state, 'the surviving worker finished the cycle').toBe('completed');
    expect(doneAtKill, 'the kill happened mid-cycle').toBeLessThan(COUNT);
    expect(stalled.length, 'the killed worker\'s batch was detected as stalled and handed over').toBeGreaterThanOrEqual(1);
    expectEveryMemberDoneOnce(await h.members(cycleId), COUNT);
    const rewritten = [...(await h.resultWrites()).entries()].filter(([, n]) => n > 1);
    console.info(`kill -9: ${doneAtKill}/${COUNT} done at the kill; stalled jobs ${stalled.join(', ')}; results rewritten (same key, upsert) ${rewritten.length}`);
  });

  it('resumes where it was after every service is stopped and started again', { timeout: 150_000 }, async () => {
    const h = await Harness.create();
    await h.recordResultWrites();
    const env = { CYCLE_BATCH_SIZE: '4' };
    await h.startPipeline({ workers: 2, env });
    const { cycleId } = await h.enqueue({ count: COUNT, seed: 'e2e-stop-all' });
    await h.waitForMembers(cycleId, 8, { timeoutMs: 90_000 });

    await h.stopAll();
    const exits = h.processes.map((p) => ({ label: p.label, ...p.exit }));
    expect(exits.filter((e) => e.code !== 0), 'every service shut down cleanly on SIGTERM').toEqual([]);
    expect(h.logs.filter((l) => l.json?.msg === 'shutdown step failed'), 'no shutdown step timed out (the active batches finished)').toEqual([]);
    const before = await h.members(cycleId);
    const doneBefore = before.filter((m) => m.state === 'done');
    expect((await h.cycle(cycleId))?.state, 'stopped mid-cycle').toBe('backtesting');
    expect(doneBefore.length).toBeLessThan(COUNT);
    const stoppedAt = new Date();

    await h.startPipeline({ workers: 2, env });
    const cycle = await h.waitForCycle(cycleId, { timeoutMs: 120_000 });
    expect(cycle.state).toBe('completed');
    expectEveryMemberDoneOnce(await h.members(cycleId), COUNT);
    const writes = await h.resultWrites();
    expect([...writes.entries()].filter(([, n]) => n !== 1), 'no backtest ran twice').toEqual([]);
    const after = await h.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM test_result_writes WHERE at > $1`, [stoppedAt]);
    expect(after.rows[0]?.n, 'after the restart only the missing backtests ran').toBe(COUNT - doneBefore.length);
    console.info(`stop/start: ${doneBefore.length}/${COUNT} done before the stop, ${after.rows[0]?.n} computed after the restart`);
  });

  it('completes after Redis is killed mid-cycle and restarted empty (the reconciler re-enqueues from PostgreSQL)', { timeout: 150_000 }, async () => {
    const redis = await RedisServer.start();
    const h = await Harness.create({ redisUrl: redis.url });
    try {
      const { generator, learner, workers } = await h.startPipeline({ workers: 2, env: { CYCLE_BATCH_SIZE: '4', RECONCILE_INTERVAL_MS: '1000' } });
      const { cycleId } = await h.enqueue({ count: COUNT, seed: 'e2e-redis' });
      await h.waitForMembers(cycleId, 8, { timeoutMs: 90_000 });

      await redis.kill();
      // Redis stays down until the generator has noticed (its connections report errors).
      await generator.waitForLog((l) => l.json?.msg === 'redis connection error', 30_000);
      const doneAtCrash = (await h.memberStateCounts(cycleId)).done ?? 0;
      const restartedAt = Date.now();
      await redis.restart();

      const cycle = await h.waitForCycle(cycleId, { timeoutMs: 120_000 });
      expect(cycle.state, 'the cycle completed on the new, empty Redis').toBe('completed');
      expect(generator.messages('reconciler re-enqueued the cycle flow').length, 'the reconciler rebuilt the lost flow').toBeGreaterThanOrEqual(1);
      const after = (msgs: Record<string, unknown>[]) => msgs.filter((m) => Date.parse(String(m.time)) >= restartedAt).length;
      expect(workers.map((w) => after(w.messages('backtest batch done'))).reduce((a, b) => a + b, 0), 'the workers took jobs from the new Redis').toBeGreaterThan(0);
      // The cycle row is committed just before the learner logs it: wait for the line.
      await learner.waitForLog((l) => l.json?.msg === 'cycle finished', 15_000);
      expect(after(learner.messages('cycle finished')), 'the learner ran from the new Redis').toBe(1);
      expectEveryMemberDoneOnce(await h.members(cycleId), COUNT);
      console.info(`redis restart: ${doneAtCrash}/${COUNT} done when Redis died; completed ${Date.now() - restartedAt} ms after the restart`);
    } finally {
      await h.cleanup();
      await redis.stop();
    }
  });
});
