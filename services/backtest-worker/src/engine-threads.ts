import { Worker } from 'node:worker_threads';
import { UnrecoverableError } from 'bullmq';
import type { JobMessage, PreloadMessage, ThreadMessage } from './engine-thread.js';

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: boolean;
  pending: Map<number, Pending>;
  ready: Promise<{ warmUpMs: number; strategies: number }>;
}

export interface EngineThreadsLog {
  error(o: object, msg: string): void;
  info(o: object, msg: string): void;
  warn(o: object, msg: string): void;
}

/**
 * A fixed set of long-lived engine threads (one per concurrent job): the CPU-bound backtests
 * run there, so the main thread stays free to renew job locks. Unlike BullMQ's sandbox, which
 * starts its thread when the first job arrives, these start (and warm up) with the service. A
 * thread that dies fails its job (BullMQ retries it) and is replaced.
 */
export class EngineThreads {
  readonly #slots: Slot[] = [];
  #nextId = 1;
  #closing = false;

  constructor(
    private readonly file: URL,
    size: number,
    private readonly log: EngineThreadsLog,
  ) {
    for (let i = 0; i < size; i++) this.#slots.push(this.#spawn());
  }

  /** Resolves when every thread has imported its code and warmed up. */
  async ready(): Promise<{ warmUpMs: number; strategies: number }[]> {
    return Promise.all(this.#slots.map((s) => s.ready));
  }

  /** Runs a job in a free thread (the BullMQ worker never hands out more jobs than threads). */
  async run(name: string, data: unknown): Promise<unknown> {
    const slot = this.#slots.find((s) => !s.busy);
    if (!slot) throw new Error('no free engine thread (worker concurrency above the thread count)');
    slot.busy = true;
    try {
      await slot.ready;
      const id = this.#nextId++;
      return await new Promise((resolve, reject) => {
        slot.pending.set(id, { resolve, reject });
        slot.worker.postMessage({ id, name, data } satisfies JobMessage);
      });
    } finally {
      slot.busy = false;
    }
  }

  /** Every thread reads `datasetId` into its cache when it is free (a job in progress goes first). */
  preload(datasetId: string): void {
    for (const s of this.#slots) {
      void s.ready.then(
        () => s.worker.postMessage({ type: 'preload', datasetId } satisfies PreloadMessage),
        () => undefined,
      );
    }
  }

  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }

  #spawn(): Slot {
    const worker = new Worker(this.file);
    const threadId = worker.threadId; // -1 once the thread has exited
    const pending = new Map<number, Pending>();
    let markReady: (r: { warmUpMs: number; strategies: number }) => void = () => undefined;
    let failReady: (e: Error) => void = () => undefined;
    const ready = new Promise<{ warmUpMs: number; strategies: number }>((res, rej) => {
      markReady = res;
      failReady = rej;
    });
    ready.catch(() => undefined);
    const slot: Slot = { worker, busy: false, pending, ready };
    worker.on('message', (m: ThreadMessage) => {
      if (m.type === 'ready') {
        markReady({ warmUpMs: m.warmUpMs, strategies: m.strategies });
        return;
      }
      if (m.type === 'preloaded') {
        if (m.error) this.log.warn({ threadId, datasetId: m.datasetId, err: m.error }, 'dataset preload failed; the first batch reads it');
        else this.log.info({ threadId, datasetId: m.datasetId, ms: Math.round(m.ms) }, 'dataset preloaded');
        return;
      }
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else {
        const err = m.error.unrecoverable ? new UnrecoverableError(m.error.message) : new Error(m.error.message);
        err.name = m.error.name;
        if (m.error.stack) err.stack = m.error.stack;
        p.reject(err);
      }
    });
    worker.on('error', (err) => this.log.error({ threadId, err: err.message }, 'engine thread error'));
    worker.on('exit', (code) => {
      const err = new Error(`engine thread ${threadId} exited with code ${code}`);
      failReady(err);
      for (const p of pending.values()) p.reject(err);
      pending.clear();
      if (this.#closing) return;
      const i = this.#slots.indexOf(slot);
      if (i >= 0) {
        this.log.error({ threadId, code }, 'engine thread exited; starting a new one');
        this.#slots[i] = this.#spawn();
      }
    });
    return slot;
  }
}
