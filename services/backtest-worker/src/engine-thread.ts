import { parentPort } from 'node:worker_threads';
import { UnrecoverableError, type SandboxedJob } from 'bullmq';
import processJob, { preload, warmUp } from './processors/backtest-run.js';

/**
 * Entry of an engine thread (see engine-threads.ts): jobs arrive as messages, one at a time,
 * and go to the same processor BullMQ's sandbox would run. Before the first job, the thread
 * imports everything and warms the engine's code up, so a replica's first batch is as fast as
 * its later ones.
 */
export interface JobMessage {
  type?: 'job';
  id: number;
  name: string;
  data: unknown;
}
/** Read a dataset into the thread's cache now (see preload in processors/backtest-run.ts). */
export interface PreloadMessage {
  type: 'preload';
  datasetId: string;
}
export type ThreadMessage =
  | { type: 'ready'; warmUpMs: number; strategies: number }
  | { type: 'preloaded'; datasetId: string; ms: number; error?: string }
  | { type: 'result'; id: number; ok: true; result: unknown }
  | { type: 'result'; id: number; ok: false; error: { name: string; message: string; stack?: string | undefined; unrecoverable: boolean } };

const port = parentPort;
if (!port) throw new Error('engine-thread.js runs as a worker thread');

port.on('message', (m: JobMessage | PreloadMessage) => {
  if (m.type === 'preload') {
    const t0 = performance.now();
    const datasetId = m.datasetId;
    preload(datasetId).then(
      () => port.postMessage({ type: 'preloaded', datasetId, ms: performance.now() - t0 } satisfies ThreadMessage),
      // Not fatal: the first batch on this dataset reads it again and reports its own error.
      (err: unknown) => port.postMessage({ type: 'preloaded', datasetId, ms: performance.now() - t0, error: String((err as Error)?.message ?? err) } satisfies ThreadMessage),
    );
    return;
  }
  processJob({ name: m.name, data: m.data } as SandboxedJob).then(
    (result) => port.postMessage({ type: 'result', id: m.id, ok: true, result } satisfies ThreadMessage),
    (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      port.postMessage({
        type: 'result',
        id: m.id,
        ok: false,
        error: { name: e.name, message: e.message, stack: e.stack, unrecoverable: err instanceof UnrecoverableError },
      } satisfies ThreadMessage);
    },
  );
});

const t0 = performance.now();
const strategies = await warmUp();
port.postMessage({ type: 'ready', warmUpMs: performance.now() - t0, strategies } satisfies ThreadMessage);
