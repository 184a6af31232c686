import type { Logger } from './logger.js';

type Step = { name: string; run: () => Promise<unknown> | unknown };

/**
 * Ordered, once-only shutdown (STYLE P7): steps run in the order registered, each bounded by
 * `timeoutMs`, a failing step is logged and the rest still run. SIGTERM/SIGINT trigger it and
 * the process exits explicitly, so a lingering handle can never keep it alive.
 */
export class Shutdown {
  readonly #steps: Step[] = [];
  #running: Promise<void> | null = null;

  constructor(
    private readonly log: Logger,
    private readonly timeoutMs: number,
  ) {}

  add(name: string, run: Step['run']): this {
    this.#steps.push({ name, run });
    return this;
  }

  /** Runs every step once (later calls get the same promise). */
  close(): Promise<void> {
    this.#running ??= (async () => {
      for (const step of this.#steps) {
        const t0 = Date.now();
        try {
          await Promise.race([
            Promise.resolve().then(step.run),
            new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${this.timeoutMs} ms`)), this.timeoutMs).unref()),
          ]);
          this.log.debug({ step: step.name, ms: Date.now() - t0 }, 'shutdown step done');
        } catch (err) {
          this.log.warn({ step: step.name, err: (err as Error).message }, 'shutdown step failed');
        }
      }
    })();
    return this.#running;
  }

  /** Installs SIGTERM/SIGINT handlers that close and exit(0). */
  onSignals(): this {
    const handler = (signal: string) => {
      this.log.info({ signal }, 'shutting down');
      void this.close().then(() => {
        this.log.info('stopped');
        process.exit(0);
      });
    };
    process.once('SIGTERM', () => handler('SIGTERM'));
    process.once('SIGINT', () => handler('SIGINT'));
    return this;
  }
}
