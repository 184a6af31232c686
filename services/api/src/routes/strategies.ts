import { readEquityCurve, type StrategyListItem } from '@mastertrade/db';
import { enqueueCycle } from '@mastertrade/pipeline';
import { Router, type RequestHandler } from 'express';
import { listStrategies, paperSummary } from '@mastertrade/db';
import { getStrategy, insightHistory, latestInsights, resultTrades, setStatusByHand, strategyResults } from '../adapters/read-model.js';
import type { RouteContext } from '../context.js';
import { HttpError, notFound } from '../errors.js';
import { emptyQuery, generateBody, learningStatsQuery, listStrategiesQuery, setStatusBody, strategyDetailQuery, strategyParams } from '../schemas.js';
import { pipelineStatus } from '../status.js';
import { parseInput } from '../validate.js';

/** A page position: the last item's sort values (opaque to clients, validated on the way back). */
interface Cursor {
  o: 'sharpe' | 'created';
  s: number | null;
  c: string;
  i: string;
}

function encodeCursor(sort: Cursor['o'], last: StrategyListItem): string {
  const c: Cursor = { o: sort, s: last.sharpe, c: last.createdAt.toISOString(), i: last.id };
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(raw: string, sort: Cursor['o']): { sharpe: number | null; createdAt: Date; id: string } {
  const bad = (why: string) => new HttpError(400, 'invalid_request', `cursor: ${why}`, { field: 'cursor', in: 'query' });
  let c: Partial<Cursor>;
  try {
    c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<Cursor>;
  } catch {
    throw bad('not a cursor returned by this API');
  }
  const createdAt = new Date(typeof c.c === 'string' ? c.c : NaN);
  if (typeof c !== 'object' || c === null || typeof c.i !== 'string' || !/^[0-9a-f]{64}$/.test(c.i) || Number.isNaN(createdAt.getTime()) || !(c.s === null || typeof c.s === 'number')) {
    throw bad('not a cursor returned by this API');
  }
  if (c.o !== sort) throw bad(`was made for sort=${String(c.o)}, not sort=${sort}`);
  return { sharpe: c.s, createdAt, id: c.i };
}

/** 503 when the queue cannot take the job (Redis down): the command was not accepted. */
async function enqueueOr503<T>(p: Promise<T>, ctx: RouteContext): Promise<T> {
  try {
    return await p;
  } catch (err) {
    ctx.log.error({ err: (err as Error).message }, 'enqueue failed');
    throw new HttpError(503, 'queue_unavailable', 'the job queue is unavailable; nothing was enqueued, try again');
  }
}

export function strategiesRouter(ctx: RouteContext, guard: { write: RequestHandler; read: RequestHandler }): Router {
  const r = Router();
  const pool = ctx.db.pool;

  r.post('/generate', guard.write, async (req, res) => {
    parseInput(emptyQuery, req.query, 'query');
    const body = parseInput(generateBody, req.body, 'body');
    const { cycleId, jobId } = await enqueueOr503(
      enqueueCycle(ctx.queues, {
        trigger: 'api',
        count: body.count,
        symbols: body.symbols ?? [...ctx.schedule.symbols],
        ...(body.timeframes ? { timeframes: body.timeframes } : {}),
        ...(body.seed ? { seed: body.seed } : {}),
        deadlineMs: ctx.schedule.deadlineMs,
        now: ctx.now(),
      }),
      ctx,
    );
    ctx.cache.clear();
    const statusUrl = `/api/cycles/${cycleId}`;
    ctx.log.info({ cycleId, count: body.count }, 'cycle enqueued through the API');
    res.status(202).location(statusUrl).json({ cycleId, jobId, status: 'queued', statusUrl });
  });

  r.get('/pipeline/status', guard.read, async (req, res) => {
    parseInput(emptyQuery, req.query, 'query');
    const body = await ctx.cache.json('status', async () => pipelineStatus(await ctx.snapshot(), ctx.schedule, ctx.now()));
    res.type('json').send(body);
  });

  r.get('/learning/stats', guard.read, async (req, res) => {
    const q = parseInput(learningStatsQuery, req.query, 'query');
    const [latest, history] = await Promise.all([latestInsights(pool), insightHistory(pool, q.history)]);
    const stats = latest.find((i) => i.kind === 'statistics') ?? null;
    const patterns = latest.find((i) => i.kind === 'patterns') ?? null;
    res.json({
      latest: stats ? { cycleId: stats.cycleId, createdAt: stats.createdAt.toISOString(), ...stats.data } : null,
      patterns: patterns ? { cycleId: patterns.cycleId, createdAt: patterns.createdAt.toISOString(), ...patterns.data } : null,
      history: history.map((h) => ({ ...h, createdAt: h.createdAt.toISOString() })),
    });
  });

  r.get('/', guard.read, async (req, res) => {
    const q = parseInput(listStrategiesQuery, req.query, 'query');
    const after = q.cursor ? decodeCursor(q.cursor, q.sort) : undefined;
    const body = await ctx.cache.json(`strategies:${JSON.stringify(q)}`, async () => {
      const rows = await listStrategies(pool, {
        ...(q.status ? { status: q.status } : {}),
        ...(q.type ? { type: q.type } : {}),
        ...(q.timeframe ? { timeframe: q.timeframe } : {}),
        ...(q.cycle ? { cycleId: q.cycle } : {}),
        sort: q.sort,
        limit: q.limit + 1,
        ...(after ? { after } : {}),
      });
      const items = rows.slice(0, q.limit);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > q.limit && last ? encodeCursor(q.sort, last) : null };
    });
    res.type('json').send(body);
  });

  r.get('/:id', guard.read, async (req, res) => {
    const { id } = parseInput(strategyParams, req.params, 'params');
    const q = parseInput(strategyDetailQuery, req.query, 'query');
    const strategy = await getStrategy(pool, id);
    if (!strategy) throw notFound('strategy', id);
    const results = await strategyResults(pool, id);
    // The result shown in full: the newest with a stored curve (passed or user backtests), else the newest.
    const shown = results.find((x) => x.hasEquityCurve) ?? results[0] ?? null;
    const [trades, curve] = shown ? await Promise.all([resultTrades(pool, shown.id, q.trades), shown.hasEquityCurve ? readEquityCurve(ctx.db, shown.id) : null]) : [[], null];
    const { document, ...meta } = strategy;
    const paper = await paperSummary(pool, id);
    const latest = results.find((x) => x.validation) ?? null;
    res.json({
      strategy: meta,
      document,
      // In-sample vs out-of-sample vs paper, side by side, with the deflated Sharpe ratio.
      comparison: {
        inSample: latest ? latest.metrics : null,
        outOfSample: latest?.validation?.outOfSample ?? null,
        paper: paper?.metrics ?? null,
        deflatedSharpe: latest?.validation?.deflatedSharpe ?? null,
        bias: latest?.validation?.bias ?? null,
      },
      paper,
      results,
      shownResultId: shown?.id ?? null,
      trades: { resultId: shown?.id ?? null, total: shown?.storedTrades ?? 0, items: trades },
      equityCurve: curve && shown ? { resultId: shown.id, points: curve.equity.length, tsMs: Array.from(curve.tsMs), equity: Array.from(curve.equity) } : null,
    });
  });

  r.post('/:id/status', guard.write, async (req, res) => {
    const { id } = parseInput(strategyParams, req.params, 'params');
    parseInput(emptyQuery, req.query, 'query');
    const body = parseInput(setStatusBody, req.body, 'body');
    const changed = await setStatusByHand(pool, id, body.status, body.reason ?? `set by hand through the API`);
    if (!changed) throw notFound('strategy', id);
    ctx.cache.clear();
    ctx.log.info({ strategyId: id, from: changed.previous, to: body.status }, 'strategy status set by hand');
    res.json({ id, status: body.status, previousStatus: changed.previous, statusReason: body.reason ?? 'set by hand through the API' });
  });

  return r;
}
