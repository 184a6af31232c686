import { ENGINE_VERSION } from '@mastertrade/core';
import { saveStrategies } from '@mastertrade/db';
import { jobIds, QUEUES } from '@mastertrade/queue';
import { Router, type RequestHandler } from 'express';
import { getStrategy, latestResultFor } from '../adapters/read-model.js';
import type { RouteContext } from '../context.js';
import { HttpError, notFound } from '../errors.js';
import { backtestBody, backtestParams, emptyQuery } from '../schemas.js';
import { parseInput } from '../validate.js';

const ID = /^user-([0-9a-f]{64})-([A-Za-z0-9._-]+)-(\d+)d$/;

/**
 * User backtests. The document is validated here (400 naming the field), stored under its
 * canonical hash (origin `user`), and a `backtest.user` job goes to the backtest queue, where the
 * same workers as the cycles run it. The id is the job id, deterministic per document, engine
 * version and window: sending the same document again is the same backtest (STYLE P4), unless
 * the earlier one failed, in which case it is tried again.
 */
export function backtestsRouter(ctx: RouteContext, guard: { write: RequestHandler; read: RequestHandler }): Router {
  const r = Router();
  const queue = () => ctx.queues.queue(QUEUES.backtest);

  r.post('/', guard.write, async (req, res) => {
    parseInput(emptyQuery, req.query, 'query');
    const body = parseInput(backtestBody, req.body, 'body');
    const { ids } = await saveStrategies(ctx.db, [{ document: body.strategy, origin: 'user', cycleId: null }]);
    const strategyId = ids[0] as string;
    ctx.cache.clear();
    const id = jobIds.userBacktest(strategyId, ENGINE_VERSION, body.days);
    let status = 'queued';
    try {
      const existing = await queue().getJob(id);
      const before = existing ? await existing.getState() : null;
      if (existing && before === 'failed') await existing.remove();
      else if (before === 'completed') status = 'done';
      else if (before === 'active') status = 'running';
      await ctx.queues.add('backtest.user', { strategyId, engineVersion: ENGINE_VERSION, days: body.days }, { jobId: id });
    } catch (err) {
      ctx.log.error({ err: (err as Error).message }, 'enqueue failed');
      throw new HttpError(503, 'queue_unavailable', 'the job queue is unavailable; nothing was enqueued, try again');
    }
    const statusUrl = `/api/backtests/${id}`;
    res.status(202).location(statusUrl).json({ id, strategyId, status, statusUrl, strategyUrl: `/api/strategies/${strategyId}` });
  });

  r.get('/:id', guard.read, async (req, res) => {
    const { id } = parseInput(backtestParams, req.params, 'params');
    parseInput(emptyQuery, req.query, 'query');
    const m = ID.exec(id);
    const strategyId = m?.[1] ?? '';
    const engineVersion = m?.[2] ?? '';
    const strategy = await getStrategy(ctx.db.pool, strategyId);
    if (!strategy) throw notFound('backtest', id);
    const job = await queue()
      .getJob(id)
      .catch(() => undefined);
    const jobState = job ? await job.getState().catch(() => 'unknown') : 'unknown';
    const result = await latestResultFor(ctx.db.pool, strategyId, engineVersion);
    // PostgreSQL decides "done" (job records expire from Redis); Redis tells queued/running/failed.
    const state =
      jobState === 'active' ? 'running' : jobState === 'failed' ? 'failed' : result ? 'done' : jobState === 'waiting' || jobState === 'delayed' || jobState === 'prioritized' || jobState === 'waiting-children' ? 'queued' : jobState === 'completed' ? 'done' : 'unknown';
    if (state === 'unknown' && !result) throw notFound('backtest', id);
    res.json({
      id,
      strategyId,
      state,
      error: jobState === 'failed' ? (job?.failedReason ?? null) : null,
      attempts: job?.attemptsMade ?? null,
      result: result ? { ...result, createdAt: result.createdAt.toISOString() } : null,
      strategyUrl: `/api/strategies/${strategyId}`,
    });
  });

  return r;
}
