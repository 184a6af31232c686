import type { Redis } from 'ioredis';
import type { Db } from '@mastertrade/db';
import type { QueueClient } from '@mastertrade/queue';
import type { Logger } from '@mastertrade/runtime';
import type { ReadCache } from './read-cache.js';
import type { Snapshot } from './snapshot.js';
import type { ScheduleConfig } from './status.js';

/** What the route handlers share (built once by createApp). */
export interface RouteContext {
  db: Db;
  queues: QueueClient;
  /** A fail-fast (producer-role) connection for the readiness round trip. */
  redis: Redis;
  log: Logger;
  schedule: ScheduleConfig;
  snapshot: () => Promise<Snapshot>;
  /** Short-lived serialized read responses; writes clear it. */
  cache: ReadCache;
  now: () => number;
}
