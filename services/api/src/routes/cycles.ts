import { cycleInsight, getCycle, listStrategies, listCycles, memberCounts } from '@mastertrade/db';
import { Router, type RequestHandler } from 'express';
import type { RouteContext } from '../context.js';
import { notFound } from '../errors.js';
import { cycleParams, emptyQuery, listCyclesQuery } from '../schemas.js';
import { cycleSummary } from '../status.js';
import { parseInput } from '../validate.js';

export function cyclesRouter(ctx: RouteContext, guard: { read: RequestHandler }): Router {
  const r = Router();
  const pool = ctx.db.pool;

  r.get('/', guard.read, async (req, res) => {
    const q = parseInput(listCyclesQuery, req.query, 'query');
    const rows = await listCycles(pool, q.limit, q.state ? [q.state] : undefined);
    res.json({ items: rows.map(cycleSummary) });
  });

  r.get('/:id', guard.read, async (req, res) => {
    const { id } = parseInput(cycleParams, req.params, 'params');
    parseInput(emptyQuery, req.query, 'query');
    const cycle = await getCycle(pool, id);
    if (!cycle) throw notFound('cycle', id);
    const [counts, best, insights, selection] = await Promise.all([
      memberCounts(pool, id),
      listStrategies(pool, { cycleId: id, sort: 'sharpe', limit: 10 }),
      pool.query<{ kind: string; createdAt: Date }>(`SELECT kind, created_at AS "createdAt" FROM learning_insights WHERE cycle_id = $1 ORDER BY kind`, [id]),
      cycleInsight(pool, id, 'selection'),
    ]);
    const processed = counts.done + counts.failed + counts.cancelled;
    res.json({
      ...cycleSummary(cycle),
      config: cycle.config,
      datasetId: cycle.datasetId,
      progress: { ...counts, processed, percent: counts.total > 0 ? Math.round((1000 * processed) / counts.total) / 10 : 0 },
      best,
      // Trials, honest candidates and the probability of backtest overfitting (PBO, CSCV).
      selection,
      insights: insights.rows.map((i) => ({ kind: i.kind, createdAt: i.createdAt.toISOString() })),
      strategiesUrl: `/api/strategies?cycle=${encodeURIComponent(id)}`,
    });
  });

  return r;
}
