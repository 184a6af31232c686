import { baseEnvSchema, loadConfig } from '@mastertrade/config';
import { openDb, type Db } from '@mastertrade/db';
import { QueueClient } from '@mastertrade/queue';
import { createRedis, waitReady } from '@mastertrade/runtime';
import type { Redis } from 'ioredis';
import { UsageError } from '../errors.js';

export interface Infra {
  env: ReturnType<typeof loadConfig<typeof baseEnvSchema>>;
  db: Db;
  redis: Redis | null;
  queues: QueueClient | null;
  close(): Promise<void>;
}

/**
 * Connections for commands that talk to the running system (config from env, as the
 * services read it). Fails within seconds with a clear message when PostgreSQL or Redis is down.
 */
export async function openInfra(opts: { redis: boolean }): Promise<Infra> {
  const env = loadConfig(baseEnvSchema);
  const db = openDb({ url: env.DATABASE_URL, maxConnections: 2, applicationName: 'mastertrade-cli' });
  try {
    await db.pool.query('SELECT 1');
  } catch (err) {
    await db.close().catch(() => undefined);
    throw new UsageError(`cannot reach PostgreSQL at DATABASE_URL (${(err as Error).message}); is it running, and did \`npm run db:migrate\` run?`);
  }
  let redis: Redis | null = null;
  let queues: QueueClient | null = null;
  if (opts.redis) {
    redis = createRedis(env.REDIS_URL, 'producer', 'mastertrade-cli');
    try {
      await waitReady(redis, 5000);
    } catch (err) {
      redis.disconnect();
      await db.close();
      throw new UsageError(`cannot reach Redis at REDIS_URL (${(err as Error).message})`);
    }
    queues = new QueueClient(redis, env.QUEUE_PREFIX);
  }
  return {
    env,
    db,
    redis,
    queues,
    async close() {
      await queues?.close();
      redis?.disconnect();
      await db.close();
    },
  };
}
