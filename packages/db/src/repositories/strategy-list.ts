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
  if (f.cycleId) where.push(`s.id IN (SELECT cs.strategy_id FROM cycle_strategies cs WHERE cs.cycle_id = ${p(f.cycleId)})`);
  const bySharpe = (f.sort ?? 'sharpe') === 'sharpe';
  if (f.after) {
    where.push(
      bySharpe
        ? `(coalesce(s.sharpe, '-Infinity'::float8), s.id) < (${p(f.after.sharpe ?? Number.NEGATIVE_INFINITY)}::float8, ${p(f.after.id)})`
        : `(s.created_at, s.id) < (${p(f.after.createdAt)}::timestamptz, ${p(f.after.id)})`,
    );
  }
  const order = (t: string) => (bySharpe ? `coalesce(${t}.sharpe, '-Infinity'::float8) DESC, ${t}.id DESC` : `${t}.created_at DESC, ${t}.id DESC`);
  // The page is picked first (indexed order), then only its rows join their latest result.
  const r = await db.query(
    `WITH page AS (
       SELECT s.id, s.name, s.type, s.timeframe, s.symbols, s.origin, s.status, s.status_reason, s.cycle_id, s.sharpe, s.created_at
       FROM strategies s ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY ${order('s')} LIMIT ${p(Math.min(Math.max(f.limit ?? 50, 1), 1000))})
     SELECT page.id, page.name, page.type, page.timeframe, page.symbols, page.origin, page.status, page.status_reason AS "statusReason",
            page.cycle_id AS "cycleId", page.sharpe, br.total_return AS "totalReturn", br.max_drawdown AS "maxDrawdown",
            br.win_rate AS "winRate", br.trades, page.created_at AS "createdAt"
     FROM page
     LEFT JOIN LATERAL (SELECT total_return, max_drawdown, win_rate, trades FROM backtest_results b WHERE b.strategy_id = page.id ORDER BY b.created_at DESC LIMIT 1) br ON true
     ORDER BY ${order('page')}`,
    params,
  );
  return r.rows as StrategyListItem[];
}
