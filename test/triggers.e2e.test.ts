import { describe, expect, it } from 'vitest';
import { dailyCycleId } from '@mastertrade/pipeline';
import { jobIds, QUEUES } from '@mastertrade/queue';
import { Harness } from './helpers/harness.js';

describe('the daily cycle runs once per day', () => {
  it('makes one cycle of many triggers for the same day (two schedulers and two explicit enqueues)', { timeout: 150_000 }, async () => {
    const h = await Harness.create();
    const { generator } = await h.startPipeline({ workers: 1, env: { CYCLE_BATCH_SIZE: '5' } });
    const day = dailyCycleId(Date.now());
    const explicit = await Promise.all([h.enqueue({ cycleId: day, trigger: 'schedule', count: 10 }), h.enqueue({ cycleId: day, trigger: 'schedule', count: 10 })]);

    // Two schedulers firing every second (a duplicated or restarted scheduler), two triggers each at least.
    const schedulerEnv = { CYCLE_CRON: '* * * * * *', CYCLE_COUNT: '10' };
    const schedulers = await Promise.all([h.start('scheduler', schedulerEnv), h.start('scheduler', schedulerEnv)]);
    await Promise.all(schedulers.map((s) => s.waitForLog((l) => l.json?.msg === 'daily cycle enqueued' && s.messages('daily cycle enqueued').length >= 2, 30_000)));
    await Promise.all(schedulers.map((s) => s.stop()));
    const triggered = [...explicit.map((e) => e.cycleId), ...schedulers.flatMap((s) => s.messages('daily cycle enqueued').map((m) => String(m.cycleId)))];
    // Around midnight UTC the triggers may straddle two days: one cycle per distinct day.
    const days = [...new Set(triggered)];
    expect(triggered.length).toBeGreaterThanOrEqual(6);

    for (const id of days) expect((await h.waitForCycle(id, { timeoutMs: 120_000 })).state).toBe('completed');
    const rows = await h.db.pool.query<{ id: string; generated_count: number }>(`SELECT id, generated_count FROM cycles ORDER BY id`);
    expect(rows.rows.map((r) => r.id), `one cycle for ${triggered.length} triggers`).toEqual(days.sort());
    expect(rows.rows.every((r) => r.generated_count === 10), 'each generated once').toBe(true);
    expect(generator.messages('cycle created').length, 'cycle.start ran once per day').toBe(days.length);
    expect(generator.messages('cycle resumed').length).toBe(0);
    expect((await h.jobCounts()).cycle.completed, 'one cycle.start job per day').toBe(days.length);

    // A trigger after the cycle finished adds nothing (the finished job keeps its id) ...
    const finished = await h.cycle(day);
    await h.enqueue({ cycleId: day, trigger: 'schedule', count: 10 });
    // ... and once retention removed that job, the start job runs but skips the finished cycle.
    const cycleQueue = (await h.queues()).queue(QUEUES.cycle);
    await (await cycleQueue.getJob(jobIds.cycleStart(day)))?.remove();
    await h.enqueue({ cycleId: day, trigger: 'schedule', count: 10 });
    await generator.waitForLog((l) => l.json?.msg === 'job skipped' && String(l.json.reason).includes(`cycle ${day} already completed`), 30_000);
    expect(await h.cycle(day), 'the finished cycle is untouched').toEqual(finished);
    expect(generator.messages('cycle created').length + generator.messages('cycle resumed').length).toBe(days.length);
  });
});
