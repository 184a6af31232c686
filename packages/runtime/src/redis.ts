import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from './logger.js';

/**
 * Role decides failure behaviour (STYLE P7): a producer fails fast (no offline queue, few
 * retries) so an HTTP request or CLI call never hangs on a dead Redis; a worker connection
 * waits forever (maxRetriesPerRequest null, as BullMQ requires for blocking commands).
 */
export type RedisRole = 'producer' | 'worker';

export function createRedis(url: string, role: RedisRole, name: string, log?: Logger): Redis {
  const opts: RedisOptions =
    role === 'producer'
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 2, connectionName: name, lazyConnect: false }
      : { maxRetriesPerRequest: null, enableReadyCheck: true, connectionName: name };
  // Reconnect with capped backoff; ioredis keeps trying so workers recover after a Redis restart.
  opts.retryStrategy = (times) => Math.min(200 * 2 ** Math.min(times, 5), 5000);
  const redis = new Redis(url, opts);
  let lastLog = 0;
  redis.on('error', (err) => {
    // Listeners never throw (STYLE §3.5); rate-limit the log while Redis is down.
    const now = Date.now();
    if (now - lastLog > 5000) {
      lastLog = now;
      log?.warn({ connection: name, err: err.message }, 'redis connection error');
    }
  });
  return redis;
}

/** Resolves once the connection is ready, or rejects after `timeoutMs`. */
export async function waitReady(redis: Redis, timeoutMs = 5000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}
