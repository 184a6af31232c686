import { parentPort } from 'node:worker_threads';
import { createRng, probabilityOfBacktestOverfitting } from '@mastertrade/core';
import type { PboReply, PboRequest } from './pbo-thread.js';

/**
 * Entry of the learner's PBO thread (see pbo-thread.ts): each request carries the cycle's grid
 * returns packed row after row in one transferred buffer; the reply is the PBO of them.
 */
const port = parentPort;
if (!port) throw new Error('pbo-thread-entry.js runs as a worker thread');

// Warm-up: one small PBO at start, so a cycle's PBO runs in optimized code from its first split
// (cold, the first one took twice as long as in the learner's warm main thread).
{
  const rng = createRng(1);
  for (let i = 0; i < 3; i++) probabilityOfBacktestOverfitting(Array.from({ length: 128 }, () => Float64Array.from({ length: 128 }, () => rng.next() - 0.5)), 16);
}

port.on('message', (m: PboRequest) => {
  try {
    const series = Array.from({ length: m.strategies }, (_, i) => m.packed.subarray(i * m.rows, (i + 1) * m.rows));
    port.postMessage({ id: m.id, ok: true, result: probabilityOfBacktestOverfitting(series, m.blocks) } satisfies PboReply);
  } catch (err) {
    port.postMessage({ id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies PboReply);
  }
});
