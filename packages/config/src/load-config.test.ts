import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfig } from './load-config.js';
import { baseEnvSchema } from './schemas.js';

describe('loadConfig', () => {
  it('applies the defaults that work on this machine', () => {
    const c = loadConfig(baseEnvSchema, {});
    expect(c.DATABASE_URL).toBe('postgresql://postgres@127.0.0.1:5432/mastertrade');
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(c.QUEUE_PREFIX).toBe('mt');
    expect(c.API_PORT).toBe(3000);
    expect(c.LOG_LEVEL).toBe('info');
  });

  it('names every bad variable at once', () => {
    let err: unknown;
    try {
      loadConfig(baseEnvSchema, { DATABASE_URL: 'mysql://x', API_PORT: 'abc', QUEUE_PREFIX: 'a:b', LOG_LEVEL: 'loud' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    for (const v of ['DATABASE_URL', 'API_PORT', 'QUEUE_PREFIX', 'LOG_LEVEL']) expect(msg, msg).toContain(v);
  });

  it('extends per service', () => {
    const schema = baseEnvSchema.extend({ BACKTEST_WORKERS: z.coerce.number().int().min(1).default(2) });
    expect(loadConfig(schema, { BACKTEST_WORKERS: '4' }).BACKTEST_WORKERS).toBe(4);
  });
});
