import type { BacktestResult as EngineResult, TradeJson } from '@mastertrade/core';
import type pg from 'pg';
import type { Db } from '../client.js';
import type { BacktestResult } from '../generated/prisma/client.js';

export interface SaveResultInput {
  strategyId: string;
  datasetId: string;
  engineVersion: string;
  cycleId?: string | null;
  result: EngineResult;
  passed?: boolean | null;
  durationMs?: number | null;
}

/**
 * Upserts a result on its idempotency key (strategy, dataset, engine version): a repeated
 * `backtest.run` overwrites with identical numbers. Every metric becomes a column; `result` keeps
 * the engine's JSON without `trades` (store those with saveTrades for passed strategies). Also
 * copies the Sharpe onto the strategy for listings, in the same transaction.
 */
export async function saveBacktestResult(db: Db, input: SaveResultInput): Promise<BacktestResult> {
  const { trades: _trades, ...json } = input.result;
  const m = input.result.metrics;
  const data = {
    cycleId: input.cycleId ?? null,
    timeframe: input.result.timeframe,
    bars: input.result.bars,
    fromTs: new Date(input.result.from),
    toTs: new Date(input.result.to),
    capital: input.result.settings.capital,
    feeRate: input.result.settings.fee,
    slippageRate: input.result.settings.slippage,
    totalReturn: m.totalReturn,
    sharpe: m.sharpe,
    sortino: m.sortino,
    maxDrawdown: m.maxDrawdown,
    winRate: m.winRate,
    profitFactor: m.profitFactor,
    trades: m.trades,
    avgTradePnl: m.avgTradePnl,
    longestWinStreak: m.longestWinStreak,
    longestLossStreak: m.longestLossStreak,
    exposure: m.exposure,
    monthlyReturns: m.monthlyReturns,
    passed: input.passed ?? null,
    result: json as object,
    durationMs: input.durationMs ?? null,
  };
  const key = { strategyId: input.strategyId, datasetId: input.datasetId, engineVersion: input.engineVersion };
  const [row] = await db.prisma.$transaction([
    db.prisma.backtestResult.upsert({
      where: { strategyId_datasetId_engineVersion: key },
      create: { ...key, ...data },
      update: data,
    }),
    db.prisma.strategy.update({ where: { id: input.strategyId }, data: { sharpe: m.sharpe } }),
  ]);
  return row;
}

/** Rows per INSERT: one JSON document each (a few MB at most). */
const TRADE_CHUNK = 20_000;

/** One trade row: which of the call's results it belongs to (an index), and its position in that result's trades. */
export interface TradeRow {
  result: number;
  seq: number;
  t: TradeJson;
}

/**
 * A number for a JSON parameter read by json_to_recordset into a float8 column: finite numbers
 * as JSON numbers (shortest round-trip text, so no bit is lost), Infinity, -Infinity and NaN as
 * the strings float8 reads (JSON has no such numbers), null as null.
 */
export const jsonFloat = (x: number | null | undefined): number | string | null => (x === null || x === undefined ? null : Number.isFinite(x) ? x : String(x));

/**
 * Inserts trade rows (key: result id + position) on a connection the caller holds, in chunks;
 * rows already stored are left as they are. `resultIds[row.result]` is a row's result: each id
 * is sent once, not once per trade. The rows travel as one JSON document per chunk
 * (json_to_recordset): node-postgres escapes array parameters element by element in
 * JavaScript, which cost more than the insert itself. Returns the number of rows inserted.
 */
export async function insertTradeRows(client: pg.PoolClient, resultIds: readonly string[], rows: readonly TradeRow[]): Promise<number> {
  let inserted = 0;
  for (let from = 0; from < rows.length; from += TRADE_CHUNK) {
    const chunk = rows.slice(from, from + TRADE_CHUNK);
    const r = await client.query(
      `INSERT INTO trades (result_id, seq, symbol, side, entry_ts, entry_price, exit_ts, exit_price, qty, fees, pnl, reason)
       SELECT ($1::uuid[])[t.r + 1], t.q, t.s, t.d, t.et, t.ep, t.xt, t.xp, t.n, t.f, t.p, t.why
       FROM json_to_recordset($2::json)
         AS t(r int, q int, s text, d text, et timestamptz, ep float8, xt timestamptz, xp float8, n float8, f float8, p float8, why text)
       ON CONFLICT (result_id, seq) DO NOTHING`,
      [
        resultIds,
        JSON.stringify(
          chunk.map(({ result, seq, t }) => ({
            r: result,
            q: seq,
            s: t.symbol,
            d: t.side,
            et: t.entryTime,
            ep: jsonFloat(t.entryPrice),
            xt: t.exitTime,
            xp: jsonFloat(t.exitPrice),
            n: jsonFloat(t.qty),
            f: jsonFloat(t.fees),
            p: jsonFloat(t.pnl),
            why: t.reason,
          })),
        ),
      ],
    );
    inserted += r.rowCount ?? 0;
  }
  return inserted;
}

/**
 * Stores a result's trades (key: result id + position), in one transaction. Idempotent: saving the
 * same list again inserts nothing. Returns the number of rows inserted.
 */
export async function saveTrades(db: Db, resultId: string, trades: readonly TradeJson[]): Promise<number> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    const inserted = await insertTradeRows(client, [resultId], trades.map((t, seq) => ({ result: 0, seq, t })));
    await client.query('COMMIT');
    return inserted;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Keeps at most `maxPoints` of a curve: every k-th point and always the last one. */
export function downsampleCurve(tsMs: Float64Array, equity: Float64Array, maxPoints = 500): { tsMs: Float64Array; equity: Float64Array } {
  const n = equity.length;
  if (n <= maxPoints) return { tsMs: tsMs.slice(0, n), equity: equity.slice() };
  const k = Math.ceil((n - 1) / (maxPoints - 1));
  const m = Math.floor((n - 1) / k) + 1 + ((n - 1) % k === 0 ? 0 : 1);
  const t = new Float64Array(m);
  const e = new Float64Array(m);
  let j = 0;
  for (let i = 0; i < n; i += k) {
    t[j] = tsMs[i] as number;
    e[j++] = equity[i] as number;
  }
  if (j < m) {
    t[j] = tsMs[n - 1] as number;
    e[j] = equity[n - 1] as number;
  }
  return { tsMs: t, equity: e };
}

/** Stores (or replaces) a result's equity curve, downsampled to at most `maxPoints`, as float64 bytes. */
export async function saveEquityCurve(db: Db, resultId: string, tsMs: Float64Array, equity: Float64Array, maxPoints = 500): Promise<void> {
  const c = downsampleCurve(tsMs, equity, maxPoints);
  const data = { points: c.equity.length, tsMs: toBytes(c.tsMs), equity: toBytes(c.equity) };
  await db.prisma.equityCurve.upsert({ where: { resultId }, create: { resultId, ...data }, update: data });
}

export async function readEquityCurve(db: Db, resultId: string): Promise<{ tsMs: Float64Array; equity: Float64Array } | null> {
  const row = await db.prisma.equityCurve.findUnique({ where: { resultId } });
  if (!row) return null;
  return { tsMs: fromBytes(row.tsMs), equity: fromBytes(row.equity) };
}

function toBytes(a: Float64Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) view.setFloat64(i * 8, a[i] as number, true);
  return out;
}

function fromBytes(b: Uint8Array): Float64Array {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = new Float64Array(b.byteLength / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}
