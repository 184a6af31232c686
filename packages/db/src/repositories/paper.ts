import { parseStepMs } from '@mastertrade/core';
import type pg from 'pg';
import type { Db } from '../client.js';
import { epochMsSql as ms } from './candles.js';

type Queryable = pg.Pool | pg.PoolClient;

/** The statuses a paper account can have: they mirror the strategy's. */
export type PaperStatus = 'paper_trading' | 'live_candidate' | 'retired';

/** A position still open at the last paper bar (the backtest would close it there: `end_of_data`). */
export interface PaperOpenPosition {
  symbol: string;
  side: 'long' | 'short';
  entryTime: string;
  /** Entry fill price, slippage included. */
  entryPrice: number;
  qty: number;
  /** Open time of the bar whose close values it. */
  markTime: string;
  /** That close. */
  markPrice: number;
  /** P&L if closed at the mark with slippage, net of both fees (the backtest's end_of_data trade). */
  unrealizedPnl: number;
}

/** A closed paper trade: the engine's TradeJson (STRATEGY_FORMAT.md), never `end_of_data`. */
export interface PaperTradeRow {
  symbol: string;
  side: 'long' | 'short';
  entryTime: string;
  entryPrice: number;
  exitTime: string;
  exitPrice: number;
  qty: number;
  fees: number;
  pnl: number;
  reason: string;
}

export interface PaperAccountRow {
  strategyId: string;
  status: PaperStatus;
  statusReason: string | null;
  timeframe: string;
  promotedMs: number;
  anchorMs: number;
  startMs: number;
  lastBarMs: number | null;
  seenUntilMs: number | null;
  capital: number;
  feeRate: number;
  slippageRate: number;
  resultId: string | null;
  oosSharpe: number | null;
  oosTotalReturn: number | null;
  oosDays: number | null;
  bars: number;
  equity: number;
  trades: number;
  openPositions: PaperOpenPosition[];
  metrics: unknown;
  sharpe: number | null;
  totalReturn: number | null;
  closedAt: Date | null;
}

/** A tracked account with its strategy (document, symbols, current strategy status). */
export interface TrackedPaperAccount extends PaperAccountRow {
  document: unknown;
  symbols: string[];
  strategyStatus: string;
  strategyReason: string | null;
}

const ACCOUNT_COLUMNS = `a.strategy_id AS "strategyId", a.status::text AS status, a.status_reason AS "statusReason", a.timeframe,
  ${ms('a.promoted_at')} AS "promotedMs", ${ms('a.anchor_ts')} AS "anchorMs", ${ms('a.start_ts')} AS "startMs",
  ${ms('a.last_bar_ts')} AS "lastBarMs", ${ms('a.seen_until')} AS "seenUntilMs", a.capital, a.fee_rate AS "feeRate",
  a.slippage_rate AS "slippageRate", a.result_id::text AS "resultId", a.oos_sharpe AS "oosSharpe", a.oos_total_return AS "oosTotalReturn",
  a.oos_days AS "oosDays", a.bars, a.equity, a.trades, a.open_positions AS "openPositions", a.metrics, a.sharpe,
  a.total_return AS "totalReturn", a.closed_at AS "closedAt"`;

// ------------------------------------------------------------------------------------------- candidates

/** A strategy in `paper_trading` that has no paper account yet, with its latest judged result. */
export interface PaperCandidate {
  strategyId: string;
  document: unknown;
  timeframe: string;
  symbols: string[];
  /** When its status last changed (setStatuses stamps it): the promotion time in live mode. */
  updatedMs: number;
  /** Its latest backtest result with an out-of-sample part (else its latest result), or null. */
  reference: {
    resultId: string;
    capital: number;
    feeRate: number;
    slippageRate: number;
    oosSharpe: number | null;
    oosTotalReturn: number | null;
    /** Out-of-sample period: from the split to the last bar of the result. */
    splitMs: number | null;
    toMs: number;
  } | null;
}

export async function paperCandidates(db: Queryable): Promise<PaperCandidate[]> {
  const { rows } = await db.query(
    `SELECT s.id AS "strategyId", s.document, s.timeframe, s.symbols, ${ms('s.updated_at')} AS "updatedMs",
            r.id::text AS "resultId", r.capital, r.fee_rate AS "feeRate", r.slippage_rate AS "slippageRate",
            r.oos_sharpe AS "oosSharpe", r.oos_total_return AS "oosTotalReturn", ${ms('r.split_ts')} AS "splitMs", ${ms('r.to_ts')} AS "toMs"
     FROM strategies s
     LEFT JOIN LATERAL (SELECT * FROM backtest_results b WHERE b.strategy_id = s.id
                        ORDER BY (b.oos IS NOT NULL) DESC, b.created_at DESC LIMIT 1) r ON true
     WHERE s.status = 'paper_trading' AND NOT EXISTS (SELECT 1 FROM paper_accounts a WHERE a.strategy_id = s.id)
     ORDER BY s.id`,
  );
  return rows.map((r) => ({
    strategyId: r.strategyId,
    document: r.document,
    timeframe: r.timeframe,
    symbols: r.symbols,
    updatedMs: r.updatedMs,
    reference:
      r.resultId === null
        ? null
        : {
            resultId: r.resultId,
            capital: r.capital,
            feeRate: r.feeRate,
            slippageRate: r.slippageRate,
            oosSharpe: r.oosSharpe,
            oosTotalReturn: r.oosTotalReturn,
            splitMs: r.splitMs,
            toMs: r.toMs,
          },
  }));
}

export interface NewPaperAccount {
  strategyId: string;
  timeframe: string;
  promotedMs: number;
  anchorMs: number;
  startMs: number;
  capital: number;
  feeRate: number;
  slippageRate: number;
  resultId: string | null;
  oosSharpe: number | null;
  oosTotalReturn: number | null;
  oosDays: number | null;
}

/** Opens paper accounts; a strategy that already has one keeps it (returns how many were new). */
export async function openPaperAccounts(db: Queryable, rows: readonly NewPaperAccount[]): Promise<number> {
  if (rows.length === 0) return 0;
  const r = await db.query(
    `INSERT INTO paper_accounts (strategy_id, timeframe, promoted_at, anchor_ts, start_ts, capital, fee_rate, slippage_rate,
                                 result_id, oos_sharpe, oos_total_return, oos_days, equity)
     SELECT x.strategy_id, x.timeframe, to_timestamp(x.promoted_ms / 1000.0), to_timestamp(x.anchor_ms / 1000.0), to_timestamp(x.start_ms / 1000.0),
            x.capital, x.fee_rate, x.slippage_rate, x.result_id, x.oos_sharpe, x.oos_total_return, x.oos_days, x.capital
     FROM jsonb_to_recordset($1::jsonb) AS x(strategy_id text, timeframe text, promoted_ms float8, anchor_ms float8, start_ms float8,
          capital float8, fee_rate float8, slippage_rate float8, result_id uuid, oos_sharpe float8, oos_total_return float8, oos_days float8)
     ON CONFLICT (strategy_id) DO NOTHING`,
    [
      JSON.stringify(
        rows.map((a) => ({
          strategy_id: a.strategyId,
          timeframe: a.timeframe,
          promoted_ms: a.promotedMs,
          anchor_ms: a.anchorMs,
          start_ms: a.startMs,
          capital: a.capital,
          fee_rate: a.feeRate,
          slippage_rate: a.slippageRate,
          result_id: a.resultId,
          oos_sharpe: a.oosSharpe,
          oos_total_return: a.oosTotalReturn,
          oos_days: a.oosDays,
        })),
      ),
    ],
  );
  return r.rowCount ?? 0;
}

// ----------------------------------------------------------------------------------------------- reading

/** Accounts still tracked (paper_trading or live_candidate), with their strategies, by strategy id. */
export async function trackedPaperAccounts(db: Queryable): Promise<TrackedPaperAccount[]> {
  const { rows } = await db.query(
    `SELECT ${ACCOUNT_COLUMNS}, s.document, s.symbols, s.status::text AS "strategyStatus", s.status_reason AS "strategyReason"
     FROM paper_accounts a JOIN strategies s ON s.id = a.strategy_id
     WHERE a.status <> 'retired' ORDER BY a.strategy_id`,
  );
  return rows as TrackedPaperAccount[];
}

export async function getPaperAccount(db: Queryable, strategyId: string): Promise<PaperAccountRow | null> {
  const { rows } = await db.query(`SELECT ${ACCOUNT_COLUMNS} FROM paper_accounts a WHERE a.strategy_id = $1`, [strategyId]);
  return (rows[0] as PaperAccountRow | undefined) ?? null;
}

/** Strategies put back into `paper_trading` although their paper run already ended (the verdict stands). */
export async function reopenedPaperStrategies(db: Queryable): Promise<{ strategyId: string; status: PaperStatus; reason: string | null }[]> {
  const { rows } = await db.query(
    `SELECT a.strategy_id AS "strategyId", a.status::text AS status, a.status_reason AS reason
     FROM paper_accounts a JOIN strategies s ON s.id = a.strategy_id
     WHERE a.status = 'retired' AND s.status = 'paper_trading'`,
  );
  return rows as { strategyId: string; status: PaperStatus; reason: string | null }[];
}

/** Closed paper trades of a strategy in result order (exit bar, symbol, entry bar); optional exit-time window [fromMs, toMs). */
export async function readPaperTrades(db: Queryable, strategyId: string, window: { fromMs?: number; toMs?: number } = {}): Promise<PaperTradeRow[]> {
  const { rows } = await db.query(
    `SELECT t.symbol, t.side, to_char(t.entry_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "entryTime", t.entry_price AS "entryPrice",
            to_char(t.exit_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "exitTime", t.exit_price AS "exitPrice",
            t.qty, t.fees, t.pnl, t.reason
     FROM paper_trades t JOIN strategies s ON s.id = t.strategy_id
     WHERE t.strategy_id = $1
       AND ($2::float8 IS NULL OR t.exit_ts >= to_timestamp($2::float8 / 1000.0))
       AND ($3::float8 IS NULL OR t.exit_ts < to_timestamp($3::float8 / 1000.0))
     ORDER BY t.exit_ts, array_position(s.symbols, t.symbol), t.entry_ts`,
    [strategyId, window.fromMs ?? null, window.toMs ?? null],
  );
  return rows as PaperTradeRow[];
}

/** Paper equity points [bar open ms, equity] in time order; optional window [fromMs, toMs). */
export async function readPaperEquity(db: Queryable, strategyId: string, window: { fromMs?: number; toMs?: number } = {}): Promise<{ tsMs: Float64Array; equity: Float64Array }> {
  const { rows } = await db.query<[number, number]>({
    text: `SELECT ${ms('ts')}, equity FROM paper_equity WHERE strategy_id = $1
             AND ($2::float8 IS NULL OR ts >= to_timestamp($2::float8 / 1000.0))
             AND ($3::float8 IS NULL OR ts < to_timestamp($3::float8 / 1000.0))
           ORDER BY ts`,
    values: [strategyId, window.fromMs ?? null, window.toMs ?? null],
    rowMode: 'array',
  });
  const tsMs = new Float64Array(rows.length);
  const equity = new Float64Array(rows.length);
  rows.forEach((r, i) => {
    tsMs[i] = r[0];
    equity[i] = r[1];
  });
  return { tsMs, equity };
}

/** The earliest clock any tracked account was last processed at (or promoted at): where a replay resumes. */
export async function paperResumeMs(db: Queryable): Promise<number | null> {
  const { rows } = await db.query(`SELECT ${ms('min(coalesce(a.seen_until, a.promoted_at))')} AS v FROM paper_accounts a WHERE a.status <> 'retired'`);
  return (rows[0] as { v: number | null } | undefined)?.v ?? null;
}

// ------------------------------------------------------------------------------------------------ writing

/** What one tick computed for one account: the engine's run over [start bar, latest complete bar]. */
export interface PaperProgress {
  strategyId: string;
  /** The account's last_bar_ts this progress was computed from (optimistic check: another writer wins). */
  expectedLastBarMs: number | null;
  lastBarMs: number;
  seenUntilMs: number;
  bars: number;
  equity: number;
  /** Every closed trade of the run; those already stored are left as they are (key: symbol + entry bar). */
  trades: readonly PaperTradeRow[];
  /** Equity at the bars from the previous last bar on (that one changes: its open positions are no longer closed there). */
  equityPoints: { tsMs: ArrayLike<number>; equity: ArrayLike<number> };
  openPositions: readonly PaperOpenPosition[];
  metrics: unknown;
  sharpe: number | null;
  totalReturn: number;
  closedTrades: number;
}

/**
 * Stores one tick of an account in one transaction: new trades (insert, never twice), equity
 * points (upsert), and the account's state. Returns false (and writes nothing) when the account
 * moved on or was retired since `expectedLastBarMs` was read: a tick that raced another one, or
 * a restarted trader redoing work that committed, cannot count anything twice.
 */
export async function savePaperProgress(db: Db, p: PaperProgress): Promise<{ saved: boolean; tradesInserted: number }> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    const cur = await client.query<{ last: number | null }>(
      `SELECT ${ms('last_bar_ts')} AS last FROM paper_accounts WHERE strategy_id = $1 AND status <> 'retired' FOR UPDATE`,
      [p.strategyId],
    );
    const row = cur.rows[0];
    if (!row || row.last !== p.expectedLastBarMs) {
      await client.query('ROLLBACK');
      return { saved: false, tradesInserted: 0 };
    }
    let tradesInserted = 0;
    if (p.trades.length > 0) {
      const t = p.trades;
      const ins = await client.query(
        `INSERT INTO paper_trades (strategy_id, symbol, entry_ts, side, entry_price, exit_ts, exit_price, qty, fees, pnl, reason)
         SELECT $1, x.symbol, x.entry_ts, x.side, x.entry_price, x.exit_ts, x.exit_price, x.qty, x.fees, x.pnl, x.reason
         FROM unnest($2::text[], $3::timestamptz[], $4::text[], $5::float8[], $6::timestamptz[], $7::float8[], $8::float8[], $9::float8[], $10::float8[], $11::text[])
           AS x(symbol, entry_ts, side, entry_price, exit_ts, exit_price, qty, fees, pnl, reason)
         ON CONFLICT (strategy_id, symbol, entry_ts) DO NOTHING`,
        [
          p.strategyId,
          t.map((x) => x.symbol),
          t.map((x) => x.entryTime),
          t.map((x) => x.side),
          pgFloats(t.map((x) => x.entryPrice)),
          t.map((x) => x.exitTime),
          pgFloats(t.map((x) => x.exitPrice)),
          pgFloats(t.map((x) => x.qty)),
          pgFloats(t.map((x) => x.fees)),
          pgFloats(t.map((x) => x.pnl)),
          t.map((x) => x.reason),
        ],
      );
      tradesInserted = ins.rowCount ?? 0;
    }
    const e = p.equityPoints;
    if (e.tsMs.length > 0) {
      await client.query(
        `INSERT INTO paper_equity (strategy_id, ts, equity)
         SELECT $1, to_timestamp(x.ts_ms / 1000.0), x.equity FROM unnest($2::float8[], $3::float8[]) AS x(ts_ms, equity)
         ON CONFLICT (strategy_id, ts) DO UPDATE SET equity = EXCLUDED.equity`,
        [p.strategyId, pgFloats(Array.from(e.tsMs)), pgFloats(Array.from(e.equity))],
      );
    }
    await client.query(
      `UPDATE paper_accounts SET last_bar_ts = to_timestamp($2::float8 / 1000.0),
         seen_until = greatest(seen_until, to_timestamp($3::float8 / 1000.0)), bars = $4, equity = $5, trades = $6,
         open_positions = $7::jsonb, metrics = $8::jsonb, sharpe = $9, total_return = $10, updated_at = now()
       WHERE strategy_id = $1`,
      [p.strategyId, p.lastBarMs, p.seenUntilMs, p.bars, p.equity, p.closedTrades, JSON.stringify(p.openPositions), JSON.stringify(p.metrics), p.sharpe, p.totalReturn],
    );
    await client.query('COMMIT');
    return { saved: true, tradesInserted };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Marks tracked accounts as looked at up to `seenUntilMs` (never moves back). */
export async function touchPaperAccounts(db: Queryable, strategyIds: readonly string[], seenUntilMs: number): Promise<void> {
  if (strategyIds.length === 0) return;
  await db.query(
    `UPDATE paper_accounts SET seen_until = greatest(coalesce(seen_until, '-infinity'), to_timestamp($2::float8 / 1000.0))
     WHERE strategy_id = ANY($1::text[]) AND status <> 'retired'`,
    [strategyIds, seenUntilMs],
  );
}

/**
 * A paper verdict, on the account and the strategy together: `live_candidate` or `retired`
 * (with its reason), or `paper_trading` again. Only a strategy still in paper trading or a live
 * candidate is changed (a strategy retired meanwhile by someone else stays as it is, and so does
 * its account's history). Returns whether it applied.
 */
export async function setPaperVerdict(db: Db, strategyId: string, status: PaperStatus, reason: string | null): Promise<boolean> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    const s = await client.query(
      `UPDATE strategies SET status = $2::strategy_status, status_reason = $3, updated_at = now()
       WHERE id = $1 AND status IN ('paper_trading', 'live_candidate')`,
      [strategyId, status, reason],
    );
    const a = await client.query(
      `UPDATE paper_accounts SET status = $2::strategy_status, status_reason = $3, updated_at = now(),
         closed_at = CASE WHEN $2 = 'retired' THEN now() ELSE NULL END
       WHERE strategy_id = $1 AND status <> 'retired'`,
      [strategyId, status, reason],
    );
    await client.query('COMMIT');
    return (s.rowCount ?? 0) > 0 || (a.rowCount ?? 0) > 0;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Closes an account whose strategy left paper trading by other means (its status is kept as it is). */
export async function closePaperAccount(db: Queryable, strategyId: string, reason: string): Promise<void> {
  await db.query(
    `UPDATE paper_accounts SET status = 'retired', status_reason = $2, closed_at = now(), updated_at = now() WHERE strategy_id = $1 AND status <> 'retired'`,
    [strategyId, reason],
  );
}

/** Sets a strategy's status back to its paper verdict (a later cycle re-promoted it to paper_trading). */
export async function restorePaperVerdict(db: Queryable, strategyId: string, status: PaperStatus, reason: string | null): Promise<void> {
  await db.query(`UPDATE strategies SET status = $2::strategy_status, status_reason = $3, updated_at = now() WHERE id = $1 AND status = 'paper_trading'`, [
    strategyId,
    status,
    reason,
  ]);
}

/** Strategies per status among paper_trading and live_candidate (pool sizes). */
export async function paperPoolCounts(db: Queryable): Promise<{ paperTrading: number; liveCandidates: number }> {
  const { rows } = await db.query<{ status: string; n: number }>(
    `SELECT status::text AS status, count(*)::int AS n FROM strategies WHERE status IN ('paper_trading', 'live_candidate') GROUP BY status`,
  );
  return {
    paperTrading: rows.find((r) => r.status === 'paper_trading')?.n ?? 0,
    liveCandidates: rows.find((r) => r.status === 'live_candidate')?.n ?? 0,
  };
}

// ------------------------------------------------------------------------------------------------- parity

export interface ParityRow {
  strategyId: string;
  /** The UTC day, `YYYY-MM-DD`. */
  day: string;
  bars: number;
  paperTrades: number;
  backtestTrades: number;
  missed: number;
  extra: number;
  priceDiffs: number;
  maxAbsDiff: number;
  drift: boolean;
  detail: unknown[];
}

/** Days already in the parity ledger for a strategy (`YYYY-MM-DD`). */
export async function parityDays(db: Queryable, strategyId: string): Promise<Set<string>> {
  const { rows } = await db.query<{ day: string }>(`SELECT to_char(day, 'YYYY-MM-DD') AS day FROM parity_ledger WHERE strategy_id = $1`, [strategyId]);
  return new Set(rows.map((r) => r.day));
}

/** Accounts with processed bars (any status): the parity ledger's work list. */
export async function paperAccountsWithBars(db: Queryable): Promise<(PaperAccountRow & { document: unknown; symbols: string[] })[]> {
  const { rows } = await db.query(
    `SELECT ${ACCOUNT_COLUMNS}, s.document, s.symbols FROM paper_accounts a JOIN strategies s ON s.id = a.strategy_id
     WHERE a.last_bar_ts IS NOT NULL ORDER BY a.strategy_id`,
  );
  return rows as (PaperAccountRow & { document: unknown; symbols: string[] })[];
}

/** Records ledger rows; a day already recorded is kept (the first verdict on a day stands). */
export async function saveParityRows(db: Queryable, rows: readonly ParityRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO parity_ledger (strategy_id, day, bars, paper_trades, backtest_trades, missed, extra, price_diffs, max_abs_diff, drift, detail)
     SELECT x.strategy_id, x.day::date, x.bars, x.paper_trades, x.backtest_trades, x.missed, x.extra, x.price_diffs, x.max_abs_diff, x.drift, x.detail
     FROM jsonb_to_recordset($1::jsonb) AS x(strategy_id text, day text, bars int, paper_trades int, backtest_trades int, missed int, extra int,
          price_diffs int, max_abs_diff float8, drift boolean, detail jsonb)
     ON CONFLICT (strategy_id, day) DO NOTHING`,
    [
      JSON.stringify(
        rows.map((r) => ({
          strategy_id: r.strategyId,
          day: r.day,
          bars: r.bars,
          paper_trades: r.paperTrades,
          backtest_trades: r.backtestTrades,
          missed: r.missed,
          extra: r.extra,
          price_diffs: r.priceDiffs,
          max_abs_diff: r.maxAbsDiff,
          drift: r.drift,
          detail: r.detail,
        })),
      ),
    ],
  );
}

export async function readParityLedger(db: Queryable, strategyId: string): Promise<ParityRow[]> {
  const { rows } = await db.query(
    `SELECT strategy_id AS "strategyId", to_char(day, 'YYYY-MM-DD') AS day, bars, paper_trades AS "paperTrades", backtest_trades AS "backtestTrades",
            missed, extra, price_diffs AS "priceDiffs", max_abs_diff AS "maxAbsDiff", drift, detail
     FROM parity_ledger WHERE strategy_id = $1 ORDER BY day`,
    [strategyId],
  );
  return rows as ParityRow[];
}

// ------------------------------------------------------------------------------------------------ summary

export interface PaperSummary {
  strategyId: string;
  status: PaperStatus;
  statusReason: string | null;
  timeframe: string;
  promotedAt: string;
  /** First paper bar and last processed bar (open times, ISO), null before the first. */
  startTime: string;
  lastBarTime: string | null;
  bars: number;
  /** Days covered by the processed bars. */
  days: number;
  capital: number;
  equity: number;
  /** The engine's metrics over the paper bars (open positions valued as closed at the last close). */
  metrics: unknown;
  /** Closed trades. */
  trades: number;
  openPositions: PaperOpenPosition[];
  /** What it is judged against. */
  outOfSample: { resultId: string | null; sharpe: number | null; totalReturn: number | null; days: number | null };
  /** Equity points [bar open ms, equity], at most `maxPoints` (evenly thinned, the last one kept). */
  equityPoints: [number, number][];
  parity: {
    /** `ok`: every ledger day agreed; `drift`: at least one did not; `pending`: no day checked yet. */
    status: 'ok' | 'drift' | 'pending';
    days: number;
    driftDays: number;
    lastDay: string | null;
    missed: number;
    extra: number;
    priceDiffs: number;
    maxAbsDiff: number;
  };
}

const iso = (v: number) => new Date(v).toISOString();

/**
 * A strategy's paper trading for the API: state, metrics, trade count, equity points and the
 * parity ledger's verdict. Null when it never entered paper trading.
 */
export async function paperSummary(db: Queryable, strategyId: string, opts: { maxPoints?: number } = {}): Promise<PaperSummary | null> {
  const { rows } = await db.query(`SELECT ${ACCOUNT_COLUMNS} FROM paper_accounts a WHERE a.strategy_id = $1`, [strategyId]);
  const a = rows[0] as PaperAccountRow | undefined;
  if (!a) return null;
  const maxPoints = Math.max(2, opts.maxPoints ?? 500);
  const eq = await db.query<[number, number]>({
    text: `SELECT ${ms('ts')}, equity FROM paper_equity WHERE strategy_id = $1 ORDER BY ts`,
    values: [strategyId],
    rowMode: 'array',
  });
  const all = eq.rows;
  const stride = Math.max(1, Math.ceil(all.length / maxPoints));
  const points: [number, number][] = [];
  for (let i = 0; i < all.length; i += stride) points.push([(all[i] as [number, number])[0], (all[i] as [number, number])[1]]);
  const lastPoint = all[all.length - 1];
  if (lastPoint && points[points.length - 1]?.[0] !== lastPoint[0]) points.push([lastPoint[0], lastPoint[1]]);
  const p = await db.query<{ days: number; drift_days: number; last_day: string | null; missed: number; extra: number; price_diffs: number; max_abs_diff: number }>(
    `SELECT count(*)::int AS days, count(*) FILTER (WHERE drift)::int AS drift_days, to_char(max(day), 'YYYY-MM-DD') AS last_day,
            coalesce(sum(missed), 0)::int AS missed, coalesce(sum(extra), 0)::int AS extra, coalesce(sum(price_diffs), 0)::int AS price_diffs,
            coalesce(max(max_abs_diff), 0)::float8 AS max_abs_diff
     FROM parity_ledger WHERE strategy_id = $1`,
    [strategyId],
  );
  const l = p.rows[0] ?? { days: 0, drift_days: 0, last_day: null, missed: 0, extra: 0, price_diffs: 0, max_abs_diff: 0 };
  const stepMs = parseStepMs(a.timeframe) ?? 0;
  return {
    strategyId: a.strategyId,
    status: a.status,
    statusReason: a.statusReason,
    timeframe: a.timeframe,
    promotedAt: iso(a.promotedMs),
    startTime: iso(a.startMs),
    lastBarTime: a.lastBarMs === null ? null : iso(a.lastBarMs),
    bars: a.bars,
    days: a.lastBarMs === null ? 0 : (a.lastBarMs + stepMs - a.startMs) / 86_400_000,
    capital: a.capital,
    equity: a.equity,
    metrics: a.metrics,
    trades: a.trades,
    openPositions: a.openPositions,
    outOfSample: { resultId: a.resultId, sharpe: a.oosSharpe, totalReturn: a.oosTotalReturn, days: a.oosDays },
    equityPoints: points,
    parity: {
      status: l.days === 0 ? 'pending' : l.drift_days > 0 ? 'drift' : 'ok',
      days: l.days,
      driftDays: l.drift_days,
      lastDay: l.last_day,
      missed: l.missed,
      extra: l.extra,
      priceDiffs: l.price_diffs,
      maxAbsDiff: l.max_abs_diff,
    },
  };
}

/** A float8[] literal: `String(x)` of a double is its shortest round-trip form, so no bit is lost. */
function pgFloats(a: readonly number[]): string {
  return `{${a.map((x) => String(x)).join(',')}}`;
}

/** Any fixed number: the advisory lock that keeps paper ticks of two trader processes from overlapping. */
const PAPER_LOCK_KEY = 72_616_002;

/**
 * Takes the paper trader's session lock without waiting; returns its release, or null when another
 * process holds it. A process that dies loses its connection and with it the lock.
 */
export async function tryPaperLock(db: Db): Promise<(() => Promise<void>) | null> {
  const client = await db.pool.connect();
  try {
    const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [PAPER_LOCK_KEY]);
    if (r.rows[0]?.ok !== true) {
      client.release();
      return null;
    }
  } catch (err) {
    client.release(err as Error);
    throw err;
  }
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    try {
      await client.query('SELECT pg_advisory_unlock($1)', [PAPER_LOCK_KEY]);
      client.release();
    } catch (err) {
      // A broken connection is dropped from the pool, and the lock with it.
      client.release(err as Error);
    }
  };
}

/** Open time of the latest stored bar of a timeframe over all symbols (ms), or null: where a replay ends. */
export async function latestCandleMs(db: Queryable, timeframe: string): Promise<number | null> {
  const { rows } = await db.query<{ v: number | null }>(`SELECT ${ms('max(ts)')} AS v FROM candles WHERE timeframe = $1`, [timeframe]);
  return rows[0]?.v ?? null;
}
