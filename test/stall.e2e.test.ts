import { describe, expect, it, vi } from 'vitest';
import { QUEUES } from '@mastertrade/queue';
import { Harness, SYMBOLS } from './helpers/harness.js';

// A short lock (renewed every 500 ms) and a batch that outlasts it several times over even on a
// quiet machine (1000 strategies, the largest batch: about 5 s here).
const LOCK_MS = 1000;
const BATCH = 1000;

describe('a long backtest batch keeps its lock', () => {
  it('raises no stalled event with a short lock duration and a frequent stalled check', { timeout: 150_000 }, async () => {
    const h = await Harness.create();
    // One batch of BATCH strategies: seconds of CPU in the sandbox, many lock renewals on the main thread.
    const [worker] = await Promise.all([
      h.start('backtest-worker', { BACKTEST_LOCK_MS: String(LOCK_MS), BACKTEST_STALLED_INTERVAL_MS: '500' }),
      h.start('generator', { CYCLE_BATCH_SIZE: String(BATCH), CYCLE_DAYS: '90' }),
      h.start('learner'),
    ]);
    const events = await h.events(QUEUES.backtest);
    const stalled: string[] = [];
    const active: string[] = [];
    const completed: { jobId: string; ms: number }[] = [];
    events.on('stalled', ({ jobId }) => stalled.push(jobId));
    events.on('active', ({ jobId }) => active.push(jobId));
    events.on('completed', ({ jobId, returnvalue }) => completed.push({ jobId, ms: Number((returnvalue as unknown as { ms?: number }).ms ?? JSON.parse(String(returnvalue)).ms) }));

    const { cycleId } = await h.enqueue({ count: BATCH, seed: 'e2e-stall', symbols: SYMBOLS });
    const cycle = await h.waitForCycle(cycleId, { timeoutMs: 140_000 });
    expect(cycle.state).toBe('completed');
    await vi.waitFor(() => expect(completed, 'one batch job').toHaveLength(1), { timeout: 10_000 });
    const batchMs = completed[0]?.ms ?? 0;
    expect(batchMs, 'the batch outlived two lock durations (three renewals or more)').toBeGreaterThan(2 * LOCK_MS);
    expect(stalled, 'no stalled event').toEqual([]);
    expect(active, 'the batch started once').toHaveLength(1);
    expect(worker?.messages('job stalled') ?? [], 'the worker logged no stall').toEqual([]);
    console.info(`stall: one batch of ${BATCH} ran ${Math.round(batchMs)} ms with a ${LOCK_MS} ms lock, 0 stalled`);
  });
});
