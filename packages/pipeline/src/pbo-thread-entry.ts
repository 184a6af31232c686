import { parentPort } from 'node:worker_threads';
import { probabilityOfBacktestOverfitting } from '@mastertrade/core';
import type { PboReply, PboRequest } from './pbo-thread.js';

/**
 * Entry of the learner's PBO thread (see pbo-thread.ts): each request carries the cycle's grid
 * returns packed row after row in one transferred buffer; the reply is the PBO of them.
 */
const port = parentPort;
if (!port) throw new Error('pbo-thread-entry.js runs as a worker thread');

port.on('message', (m: PboRequest) => {
  try {
    const series = Array.from({ length: m.strategies }, (_, i) => m.packed.subarray(i * m.rows, (i + 1) * m.rows));
    port.postMessage({ id: m.id, ok: true, result: probabilityOfBacktestOverfitting(series, m.blocks) } satisfies PboReply);
  } catch (err) {
    port.postMessage({ id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies PboReply);
  }
});
