import { existsSync } from 'node:fs';
import { createRng, probabilityOfBacktestOverfitting } from '@mastertrade/core';
import { afterEach, describe, expect, it } from 'vitest';
import { PboThread } from '../src/pbo-thread.js';

// The thread runs compiled JS (`npm test` builds first), and resolves packages as the learner
// does: to their builds, not to the TypeScript sources this test process is told to use.
const ENTRY = new URL('../dist/pbo-thread-entry.js', import.meta.url);
const AS_BUILT = { execArgv: [] };

function noise(seed: number, strategies: number, rows: number): Float64Array[] {
  const rng = createRng(seed);
  return Array.from({ length: strategies }, (_, k) => Float64Array.from({ length: rows }, () => (rng.next() - 0.5) * 0.02 + (k % 7) * 1e-4));
}

describe('PboThread', () => {
  let thread: PboThread | null = null;
  afterEach(async () => {
    await thread?.close();
    thread = null;
  });

  it('gives exactly the PBO computed in place, and requests in a row get their own answers', async () => {
    expect(existsSync(ENTRY), 'the pipeline package is built').toBe(true);
    thread = new PboThread(ENTRY, undefined, AS_BUILT);
    const a = noise(1, 60, 320);
    const b = noise(2, 40, 200);
    const [ra, rb] = await Promise.all([thread.compute(a, 16), thread.compute(b, 8)]);
    expect(ra).toEqual(probabilityOfBacktestOverfitting(a, 16));
    expect(rb).toEqual(probabilityOfBacktestOverfitting(b, 8));
    expect(ra.splits, 'C(16, 8) splits').toBe(12870);
    expect(ra.pbo).not.toEqual(rb.pbo);
  });

  it('rejects what the PBO refuses, with its message, and keeps working', async () => {
    thread = new PboThread(ENTRY, undefined, AS_BUILT);
    await expect(thread.compute(noise(3, 10, 100), 7)).rejects.toThrow('the number of blocks must be even');
    await expect(thread.compute([new Float64Array(10), new Float64Array(11)], 2)).rejects.toThrow('same length');
    const s = noise(4, 10, 100);
    expect(await thread.compute(s, 4)).toEqual(probabilityOfBacktestOverfitting(s, 4));
  });

  it('replaces a thread that dies: what it was computing fails, the next request is answered', async () => {
    const errors: object[] = [];
    thread = new PboThread(new URL('./fixtures/pbo-crash-once.mjs', import.meta.url), { error: (o) => errors.push(o) }, AS_BUILT);
    const doomed = noise(5, 4, 40);
    (doomed[0] as Float64Array)[0] = 999;
    await expect(thread.compute(doomed, 2)).rejects.toThrow(/PBO thread exited with code 3/);
    expect(errors).toContainEqual({ code: 3 });
    const s = noise(6, 4, 40);
    expect(await thread.compute(s, 2)).toEqual(probabilityOfBacktestOverfitting(s, 2));
  });
});
