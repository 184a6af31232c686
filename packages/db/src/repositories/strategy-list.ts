import type pg from 'pg';

type Queryable = pg.Pool | pg.PoolClient;

export const STRATEGY_STATUSES = ['generated', 'backtested', 'passed', 'rejected', 'paper_trading', 'live_candidate', 'retired'] as const;
export type StrategyStatusName = (typeof STRATEGY_STATUSES)[number];

export interface StrategyListItem {
  id: string;
  name: string;
  type: string;
  timeframe: string;
  symbols: string[];
  origin: string;
  status: StrategyStatusName;
  statusReason: string | null;
  cycleId: string | null;
  sharpe: number | null;
  totalReturn: number | null;
  maxDrawdown: number | null;
  winRate: number | null;
  trades: number | null;
  createdAt: Date;
}

export interface ListStrategiesFilter {
  status?: StrategyStatusName;
  type?: string;
  timeframe?: string;
  cycleId?: string;
  sort?: 'sharpe' | 'created';
  limit?: number;
  /** Offset-free paging: items after this (sort value, id) pair. */
  after?: { sharpe: number | null; createdAt: Date; id: string };
}

/**
 * Strategies with their latest result's headline metrics, for tables and the API. Sorted by
 * Sharpe (best first, undefined last) or by creation (newest first); keyset pagination.
 */
export async function listStrategies(db: Queryable, f: ListStrategiesFilter = {}): Promise<StrategyListItem[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.status) where.push(`s.status = ${p(f.status)}::strategy_status`);
  if (f.type) where.push(`s.type = ${p(f.type)}`);
  if (f.timeframe) where.push(`s.timeframe = ${p(f.timeframe)}`);
  if (f.cycleId) where.push(`EXISTS (SELECT 1 FROM cycle_strategies cs WHERE cs.strategy_id = s.id AND cs.cycle_id = ${p(f.cycleId)})`);
  const bySharpe = (f.sort ?? 'sharpe') === 'sharpe';
  if (f.after) {
    if (bySharpe) {
      // (coalesce(sharpe, -inf), id) descending keyset
      where.push(`(coalesce(s.sharpe, '-Infinity'::float8), s.id) < (${p(f.after.sharpe ?? Number.NEGATIVE_INFINITY)}::float8, ${p(f.after.id)})`);
    } else {
      where.push(`(s.created_at, s.id) < (${p(f.after.createdAt)}::timestamptz, ${p(f.after.id)})`);
    }
  }
  const order = bySharpe ? `coalesce(s.sharpe, '-Infinity'::float8) DESC, s.id DESC` : `s.created_at DESC, s.id DESC`;
  const limit = p(Math.min(Math.max(f.limit ?? 50, 1), 500));
  const r = await db.query(
    `SELECT s.id, s.name, s.type, s.timeframe, s.symbols, s.origin, s.status, s.status_reason AS "statusReason", s.cycle_id AS "cycleId",
            s.sharpe, br.total_return AS "totalReturn", br.max_drawdown AS "maxDrawdown", br.win_rate AS "winRate", br.trades, s.created_at AS "createdAt"
     FROM strategies s
     LEFT JOIN LATERAL (SELECT total_return, max_drawdown, win_rate, trades FROM backtest_results b WHERE b.strategy_id = s.id ORDER BY b.created_at DESC LIMIT 1) br ON true
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY ${order} LIMIT ${limit}`,
    params,
  );
  return r.rows as StrategyListItem[];
}
