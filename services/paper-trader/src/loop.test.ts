import { describe, expect, it, vi } from 'vitest';
import { replayStartMs, startLoop } from './loop.js';

const log = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };

describe('replayStartMs', () => {
  it('starts at the beginning, or resumes on the tick grid at the least advanced account', () => {
    const from = Date.parse('2025-06-03T00:00:00Z');
    const h = 3_600_000;
    expect(replayStartMs(from, 6 * h, null)).toBe(from);
    expect(replayStartMs(from, 6 * h, from - h)).toBe(from);
    expect(replayStartMs(from, 6 * h, from + 13 * h), 'the 12:00 tick runs again').toBe(from + 12 * h);
    expect(replayStartMs(from, 6 * h, from + 12 * h)).toBe(from + 12 * h);
  });
});

describe('startLoop', () => {
  it('runs ticks one after another until one says it is done, and goes on after a failing tick', async () => {
    let n = 0;
    const loop = startLoop({
      log,
      delayMs: 0,
      tick: async () => {
        n++;
        if (n === 2) throw new Error('boom');
        return n < 4;
      },
    });
    await loop.done;
    expect(n).toBe(4);
    expect(log.error).toHaveBeenCalledWith({ err: 'boom' }, 'paper tick failed');
  });

  it('stop() waits for the running tick and starts no other', async () => {
    let release!: () => void;
    let started = 0;
    const loop = startLoop({
      log,
      delayMs: 60_000,
      tick: () => {
        started++;
        return new Promise<boolean>((r) => (release = () => r(true)));
      },
    });
    await vi.waitFor(() => expect(started).toBe(1));
    const stopped = loop.stop();
    let done = false;
    void stopped.then(() => (done = true));
    await Promise.resolve();
    expect(done, 'still inside the tick').toBe(false);
    release();
    await stopped;
    expect(started).toBe(1);
  });
});
