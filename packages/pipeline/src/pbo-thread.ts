import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { PboResult } from '@mastertrade/core';

export interface PboRequest {
  id: number;
  strategies: number;
  rows: number;
  blocks: number;
  /** strategies x rows returns, strategy after strategy. */
  packed: Float64Array;
}
export type PboReply = { id: number; ok: true; result: PboResult } | { id: number; ok: false; error: string };

/** The compiled thread entry next to this module (dist/); tests of the sources pass the built one. */
export const PBO_THREAD_ENTRY = new URL('./pbo-thread-entry.js', import.meta.url);

export interface PboThreadLog {
  error(o: object, msg: string): void;
}

/**
 * A long-lived thread that computes a cycle's probability of backtest overfitting (12,870
 * splits over every strategy's grid returns: the longest step of the learning phase), so the
 * learner stores its statistics, patterns and population meanwhile instead of after it. The
 * numbers are those of probabilityOfBacktestOverfitting() called in place. A thread that dies
 * fails what it was computing; the next request starts a new one (never a loop of restarts when
 * the entry cannot load).
 */
export class PboThread {
  #worker: Worker | null;
  readonly #pending = new Map<number, { resolve: (r: PboResult) => void; reject: (e: Error) => void }>();
  #nextId = 1;
  #closing = false;

  constructor(
    private readonly file: URL = PBO_THREAD_ENTRY,
    private readonly log?: PboThreadLog,
    /** For the Worker (e.g. `execArgv: []`: resolve packages as plain Node does, whatever flags this process has). */
    private readonly workerOptions: WorkerOptions = {},
  ) {
    this.#worker = this.#spawn();
  }

  /** PBO of `series` (all the same length) in `blocks` blocks; every failure is a rejection. */
  compute(series: readonly Float64Array[], blocks: number): Promise<PboResult> {
    const rows = series[0]?.length ?? 0;
    if (series.some((s) => s.length !== rows)) return Promise.reject(new Error('PBO: every return series must have the same length'));
    const packed = new Float64Array(series.length * rows);
    series.forEach((s, i) => packed.set(s, i * rows));
    const id = this.#nextId++;
    const worker = (this.#worker ??= this.#spawn());
    worker.ref(); // a computation in progress keeps the process alive
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, strategies: series.length, rows, blocks, packed } satisfies PboRequest, [packed.buffer]);
    });
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#worker?.terminate();
  }

  #spawn(): Worker {
    const worker = new Worker(this.file, this.workerOptions);
    worker.unref(); // an idle PBO thread never keeps the process alive
    worker.on('message', (m: PboReply) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (this.#pending.size === 0) worker.unref();
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
    });
    worker.on('error', (err) => this.log?.error({ err: err.message }, 'PBO thread error'));
    worker.on('exit', (code) => {
      const err = new Error(`PBO thread exited with code ${code}`);
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
      if (this.#worker === worker) this.#worker = null;
      if (!this.#closing) this.log?.error({ code }, 'PBO thread exited; the next request starts a new one');
    });
    return worker;
  }
}
