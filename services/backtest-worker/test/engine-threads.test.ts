import { UnrecoverableError } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineThreads } from '../src/engine-threads.js';

const FIXTURE = new URL('./fixtures/thread.mjs', import.meta.url);
const logged: string[] = [];
const push = (o: object, msg: string) => logged.push(`${msg} ${JSON.stringify(o)}`);
const log = { info: push, warn: push, error: push };
const until = async (f: () => boolean) => {
  for (let i = 0; i < 200 && !f(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('EngineThreads', () => {
  let threads: EngineThreads | null = null;
  afterEach(async () => {
    await threads?.close();
    logged.length = 0;
  });

  it('starts its threads before any job, runs jobs in them and maps errors (unrecoverable stays unrecoverable)', async () => {
    threads = new EngineThreads(FIXTURE, 2, log);
    expect(await threads.ready()).toHaveLength(2);
    const [a, b] = (await Promise.all([threads.run('echo', { x: 1 }), threads.run('echo', { x: 2 })])) as { data: unknown; threadId: number }[];
    expect([a?.data, b?.data]).toEqual([{ x: 1 }, { x: 2 }]);
    expect(a?.threadId, 'two jobs at once run in two threads').not.toBe(b?.threadId);
    await expect(threads.run('fail', null)).rejects.toThrow('fail on purpose');
    await expect(threads.run('fail', null)).rejects.not.toBeInstanceOf(UnrecoverableError);
    await expect(threads.run('refuse', null)).rejects.toBeInstanceOf(UnrecoverableError);
  });

  it('fails the job of a thread that dies and replaces the thread', async () => {
    threads = new EngineThreads(FIXTURE, 1, log);
    await threads.ready();
    await expect(threads.run('crash', null)).rejects.toThrow(/engine thread \d+ exited with code 3/);
    expect(logged.some((l) => l.startsWith('engine thread exited; starting a new one'))).toBe(true);
    expect(await threads.run('echo', 'after'), 'the replacement takes the next job').toMatchObject({ data: 'after' });
  });

  it('asks every thread to preload a dataset and logs how it went', async () => {
    threads = new EngineThreads(FIXTURE, 2, log);
    await threads.ready();
    threads.preload('a'.repeat(64));
    await until(() => logged.filter((l) => l.startsWith('dataset preloaded')).length === 2);
    expect(logged.filter((l) => l.startsWith('dataset preloaded')), 'one per thread').toHaveLength(2);
    threads.preload('missing');
    await until(() => logged.some((l) => l.startsWith('dataset preload failed')));
    expect(logged.find((l) => l.startsWith('dataset preload failed'))).toContain('no dataset missing');
    expect(await threads.run('echo', 'still'), 'a failed preload leaves the thread working').toMatchObject({ data: 'still' });
  });

  it('refuses a job when every thread is busy', async () => {
    threads = new EngineThreads(FIXTURE, 1, log);
    const first = threads.run('echo', 1);
    await expect(threads.run('echo', 2)).rejects.toThrow('no free engine thread');
    await expect(first).resolves.toMatchObject({ data: 1 });
  });
});
