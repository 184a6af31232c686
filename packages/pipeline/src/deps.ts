import type { Db } from '@mastertrade/db';
import type { QueueClient } from '@mastertrade/queue';

export interface PipelineLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What the cycle steps need from the outside world; services build it in main.ts. */
export interface PipelineDeps {
  db: Db;
  queues: QueueClient;
  log: PipelineLogger;
  /** The clock (injected so deadline tests need no sleeping). */
  now?: () => number;
}

export const nowOf = (deps: { now?: () => number }): number => (deps.now ? deps.now() : Date.now());
