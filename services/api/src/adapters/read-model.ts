import type { CycleRow } from '@mastertrade/db';
import type pg from 'pg';

/**
 * The API's read queries that packages/db has no repository for (detail pages, dashboards).
 * Plain SQL over the shared pool; no business rules.
 */

type Queryable = pg.Pool | pg.PoolClient;

export interface StrategyDetailRow {
  id: string;
  name: string;
  type: string;
  timeframe: string;
  symbols: string[];
  origin: string;
  status: string;
  statusReason: string | null;
  cycleId: string | null;
  parentIds: string[];
  sharpe: number | null;
  document: unknown;
  createdAt: Date;
  updatedAt: Date;
}

export async function getStrategy(db: Queryable, id: string): Promise<StrategyDetailRow | null> {
  const r = await db.query(
    `SELECT id, name, type, timeframe, symbols, origin, status, status_reason AS "statusReason", cycle_id AS "cycleId",
            parent_ids AS "parentIds", sharpe, document, created_at AS "createdAt", updated_at AS "updatedAt"
     FROM strategies WHERE id = $1`,
    [id],
  );
  return (r.rows[0] as StrategyDetailRow | undefined) ?? null;
}

export interface ResultRow {
  /** Honest selection (cycle results): the metrics above are in-sample; out-of-sample, folds, DSR, bias gate here. */
  validation: { splitTs: string; inSampleScore: number | null; folds: unknown; outOfSample: unknown; outOfSamplePassed: boolean | null; deflatedSharpe: number | null; bias: unknown } | null;
  id: string;
  datasetId: string;
  engineVersion: string;
  cycleId: string | null;
  timeframe: string;
  bars: number;
  from: Date;
  to: Date;
  passed: boolean | null;
  metrics: {
    totalReturn: number;
    sharpe: number | null;
    sortino: number | null;
    maxDrawdown: number;
    winRate: number | null;
    profitFactor: number | null;
    trades: number;
    avgTradePnl: number | null;
    exposure: number;
    longestWinStreak: number;
    longestLossStreak: number;
    monthlyReturns: Record<string, number>;
  };
  settings: { capital: number; feeRate: number; slippageRate: number };
  storedTrades: number;
  hasEquityCurve: boolean;
  durationMs: number | null;
  createdAt: Date;
}

/** A strategy's results, newest first, with how many trades and whether a curve is stored. */
export async function strategyResults(db: Queryable, strategyId: string): Promise<ResultRow[]> {
  const r = await db.query(
    `SELECT b.id, b.dataset_id AS "datasetId", b.engine_version AS "engineVersion", b.cycle_id AS "cycleId", b.timeframe, b.bars,
            b.from_ts AS "from", b.to_ts AS "to", b.passed,
            json_build_object('totalReturn', b.total_return, 'sharpe', b.sharpe, 'sortino', b.sortino, 'maxDrawdown', b.max_drawdown,
              'winRate', b.win_rate, 'profitFactor', b.profit_factor, 'trades', b.trades, 'avgTradePnl', b.avg_trade_pnl,
              'exposure', b.exposure, 'longestWinStreak', b.longest_win_streak, 'longestLossStreak', b.longest_loss_streak,
              'monthlyReturns', b.monthly_returns) AS metrics,
            json_build_object('capital', b.capital, 'feeRate', b.fee_rate, 'slippageRate', b.slippage_rate) AS settings,
            (SELECT count(*)::int FROM trades t WHERE t.result_id = b.id) AS "storedTrades",
            EXISTS (SELECT 1 FROM equity_curves e WHERE e.result_id = b.id) AS "hasEquityCurve",
            b.duration_ms AS "durationMs", b.created_at AS "createdAt",
            CASE WHEN b.split_ts IS NULL THEN NULL ELSE json_build_object(
              'splitTs', b.split_ts, 'inSampleScore', b.is_score, 'folds', b.folds, 'outOfSample', b.oos,
              'outOfSamplePassed', b.oos_passed, 'deflatedSharpe', b.dsr, 'bias', b.bias) END AS validation
     FROM backtest_results b WHERE b.strategy_id = $1 ORDER BY b.created_at DESC, b.id`,
    [strategyId],
  );
  return r.rows as ResultRow[];
}

export interface TradeRow {
  seq: number;
  symbol: string;
  side: string;
  entryTs: Date;
  entryPrice: number;
  exitTs: Date;
  exitPrice: number;
  qty: number;
  fees: number;
  pnl: number;
  reason: string;
}

export async function resultTrades(db: Queryable, resultId: string, limit: number): Promise<TradeRow[]> {
  if (limit === 0) return [];
  const r = await db.query(
    `SELECT seq, symbol, side, entry_ts AS "entryTs", entry_price AS "entryPrice", exit_ts AS "exitTs", exit_price AS "exitPrice", qty, fees, pnl, reason
     FROM trades WHERE result_id = $1 ORDER BY seq LIMIT $2`,
    [resultId, limit],
  );
  return r.rows as TradeRow[];
}

/** The latest result of a strategy on an engine version (user backtests), or null. */
export async function latestResultFor(db: Queryable, strategyId: string, engineVersion: string): Promise<{ id: string; passed: boolean | null; sharpe: number | null; totalReturn: number; trades: number; createdAt: Date } | null> {
  const r = await db.query(
    `SELECT id, passed, sharpe, total_return AS "totalReturn", trades, created_at AS "createdAt"
     FROM backtest_results WHERE strategy_id = $1 AND engine_version = $2 ORDER BY created_at DESC LIMIT 1`,
    [strategyId, engineVersion],
  );
  return (r.rows[0] as { id: string; passed: boolean | null; sharpe: number | null; totalReturn: number; trades: number; createdAt: Date } | undefined) ?? null;
}

/** Sets a strategy's status by hand; returns the previous status, or null if the id is unknown. */
export async function setStatusByHand(db: Queryable, id: string, status: string, reason: string | null): Promise<{ previous: string } | null> {
  const r = await db.query(
    `UPDATE strategies s SET status = $2::strategy_status, status_reason = $3, updated_at = now()
     FROM (SELECT id, status FROM strategies WHERE id = $1 FOR UPDATE) old
     WHERE s.id = old.id RETURNING old.status AS previous`,
    [id, status, reason],
  );
  return (r.rows[0] as { previous: string } | undefined) ?? null;
}

export async function strategiesByStatus(db: Queryable): Promise<Record<string, number>> {
  const r = await db.query(`SELECT status, count(*)::int AS n FROM strategies GROUP BY status`);
  return Object.fromEntries((r.rows as { status: string; n: number }[]).map((x) => [x.status, x.n]));
}

export async function cyclesByState(db: Queryable): Promise<Record<string, number>> {
  const r = await db.query(`SELECT state, count(*)::int AS n FROM cycles GROUP BY state`);
  return Object.fromEntries((r.rows as { state: string; n: number }[]).map((x) => [x.state, x.n]));
}

export interface InsightRow {
  cycleId: string;
  kind: string;
  data: Record<string, unknown>;
  createdAt: Date;
}

/** The newest insight of each kind. */
export async function latestInsights(db: Queryable): Promise<InsightRow[]> {
  const r = await db.query(
    `SELECT DISTINCT ON (kind) cycle_id AS "cycleId", kind, data, created_at AS "createdAt"
     FROM learning_insights ORDER BY kind, created_at DESC`,
  );
  return r.rows as InsightRow[];
}

export interface InsightSummaryRow {
  cycleId: string;
  createdAt: Date;
  analysed: number;
  passed: number;
  passRate: number;
  successPatterns: number;
  failurePatterns: number;
  topIndicator: string | null;
  topTimeframe: string | null;
}

/** One line per cycle's statistics insight, newest first (the learning history). */
export async function insightHistory(db: Queryable, limit: number): Promise<InsightSummaryRow[]> {
  const r = await db.query(
    `SELECT cycle_id AS "cycleId", created_at AS "createdAt",
            coalesce((data->>'analysed')::int, 0) AS analysed, coalesce((data->>'passed')::int, 0) AS passed,
            coalesce((data->>'passRate')::float8, 0) AS "passRate",
            coalesce(jsonb_array_length(data->'successPatterns'), 0) AS "successPatterns",
            coalesce(jsonb_array_length(data->'failurePatterns'), 0) AS "failurePatterns",
            data->'indicatorRanking'->0->>'key' AS "topIndicator", data->'timeframeRanking'->0->>'key' AS "topTimeframe"
     FROM learning_insights WHERE kind = 'statistics' ORDER BY created_at DESC LIMIT $1`,
    [limit],
  );
  return r.rows as InsightSummaryRow[];
}

/** Backtests the learner analysed over all cycles, and patterns the bandit tracks. */
export async function learningTotals(db: Queryable): Promise<{ analysed: number; patternsTracked: number }> {
  const r = await db.query(
    `SELECT (SELECT coalesce(sum((data->>'analysed')::int), 0)::int FROM learning_insights WHERE kind = 'statistics') AS analysed,
            (SELECT count(*)::int FROM patterns) AS "patternsTracked"`,
  );
  return r.rows[0] as { analysed: number; patternsTracked: number };
}

const CYCLE_COLUMNS = `id, to_char(day, 'YYYY-MM-DD') AS day, trigger, seed, requested_count AS "requestedCount",
  generated_count AS "generatedCount", backtested_count AS "backtestedCount", passed_count AS "passedCount",
  failed_count AS "failedCount", promoted_count AS "promotedCount", state, timings, deadline,
  dataset_id AS "datasetId", data_source AS "dataSource", data_note AS "dataNote", error, config,
  started_at AS "startedAt", finished_at AS "finishedAt", created_at AS "createdAt"`;

/** The most recently finished cycle (completed or partial), or null. */
export async function latestFinishedCycle(db: Queryable): Promise<CycleRow | null> {
  const r = await db.query(`SELECT ${CYCLE_COLUMNS} FROM cycles WHERE state IN ('completed', 'partial') ORDER BY finished_at DESC NULLS LAST, created_at DESC LIMIT 1`);
  return (r.rows[0] as CycleRow | undefined) ?? null;
}

/** The cycle that started last, whatever its state (the seed's "last generation"). */
export async function latestStartedCycle(db: Queryable): Promise<CycleRow | null> {
  const r = await db.query(`SELECT ${CYCLE_COLUMNS} FROM cycles ORDER BY coalesce(started_at, created_at) DESC LIMIT 1`);
  return (r.rows[0] as CycleRow | undefined) ?? null;
}

/**
 * The leaderboard page: the same filters, order, keyset and row shape as packages/db's
 * listStrategies, but the page is chosen first and only its rows look up their latest result
 * (listStrategies joins every matching strategy's result before sorting: fine for the CLI, O(all
 * strategies) per request for an API under load).
 */
