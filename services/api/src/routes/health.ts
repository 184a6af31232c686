import type { Registry } from '@mastertrade/runtime';
import { Router } from 'express';
import type { RouteContext } from '../context.js';

const CHECK_TIMEOUT_MS = 1500;

async function timed(what: string, run: () => Promise<void>): Promise<{ ok: boolean; ms: number; error?: string }> {
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      run(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { ok: true, ms: Math.round(performance.now() - t0) };
  } catch (err) {
    return { ok: false, ms: Math.round(performance.now() - t0), error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Liveness (`/healthz`: the process answers), readiness (`/readyz`: a Redis write/read round
 * trip and a PostgreSQL query, each bounded, STYLE P16) and `/metrics`. All open: they carry
 * no data and the orchestrator and Prometheus call them without keys.
 */
export function healthRouter(ctx: RouteContext, registry: Registry): Router {
  const r = Router();
  r.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  r.get('/readyz', async (_req, res) => {
    const [redis, postgres] = await Promise.all([
      timed('redis', async () => {
        const client = ctx.redis;
        const key = `${ctx.queues.prefix}:api:readyz:${process.pid}`;
        const value = String(ctx.now());
        await client.set(key, value, 'PX', 10_000);
        if ((await client.get(key)) !== value) throw new Error('redis read back a different value');
      }),
      timed('postgres', async () => {
        await ctx.db.pool.query('SELECT 1');
      }),
    ]);
    const ok = redis.ok && postgres.ok;
    res.status(ok ? 200 : 503).json({ ok, redis, postgres });
  });
  r.get('/metrics', async (_req, res) => {
    const text = await registry.metrics();
    res.setHeader('content-type', registry.contentType);
    res.send(text);
  });
  return r;
}
