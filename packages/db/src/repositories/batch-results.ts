import type { BacktestResult as EngineResult } from '@mastertrade/core';
import type { Db } from '../client.js';
import { downsampleCurve, insertTradeRows, jsonFloat, type TradeRow } from './results.js';
import type { ResultValidation } from './validation.js';

/** One strategy's finished work in a backtest batch. */
export interface BatchResultInput {
  strategyId: string;
  /** The in-sample result (its metrics become the row's columns; `result` keeps the JSON without trades). */
  result: EngineResult;
  passed: boolean;
  durationMs: number;
  validation: ResultValidation;
  /** Stored for passed strategies: the equity curve (downsampled here if longer than maxCurvePoints) and the trades of `result`. */
  curve?: { tsMs: Float64Array; equity: Float64Array } | null;
}

export interface SaveBatchOptions {
  cycleId: string;
  datasetId: string;
  engineVersion: string;
  /** Points kept of each equity curve. */
  maxCurvePoints?: number;
}

const f64bytes = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/**
 * Everything a batch of a cycle's strategies produced, in ONE transaction and a handful of
 * statements whatever the batch size: the results (upserted on their idempotency key
 * strategy + dataset + engine version, validation columns included), the Sharpe copied onto
 * each strategy, trades and equity curves of the passed ones, and the members marked `done`.
 * A crash before COMMIT leaves every one of them `queued` with nothing written, so a re-run
 * writes each exactly once; a re-run after COMMIT finds them done. Returns the result ids by
 * strategy.
 *
 * Raw SQL on one pooled connection: per strategy, Prisma's upsert plus separate updates cost
 * more CPU and round trips than the backtest itself (bench:cycle, issue 5).
 */
export async function saveBatchResults(db: Db, o: SaveBatchOptions, items: readonly BatchResultInput[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (items.length === 0) return ids;
  const col = <T>(f: (x: BatchResultInput) => T): T[] => items.map(f);
  const m = (x: BatchResultInput) => x.result.metrics;
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    // Results can always be computed again: a database crash may lose the last moments of them
    // (never half a batch: results and the members' `done` commit together, and what is lost is
    // simply run again), so the commit does not wait for its WAL flush.
    await client.query('SET LOCAL synchronous_commit = off');
    // One JSON document for the batch (json_to_recordset), not 33 array parameters: node-postgres
    // escapes arrays element by element in JavaScript, which cost more than the insert itself.
    // The JSON columns go in as values; grid returns as base64.
    const rows = items.map((x) => {
      const mt = m(x);
      const v = x.validation;
      return {
        strategy_id: x.strategyId,
        timeframe: x.result.timeframe,
        bars: x.result.bars,
        from_ts: x.result.from,
        to_ts: x.result.to,
        capital: jsonFloat(x.result.settings.capital),
        fee_rate: jsonFloat(x.result.settings.fee),
        slippage_rate: jsonFloat(x.result.settings.slippage),
        total_return: jsonFloat(mt.totalReturn),
        sharpe: jsonFloat(mt.sharpe),
        sortino: jsonFloat(mt.sortino),
        max_drawdown: jsonFloat(mt.maxDrawdown),
        win_rate: jsonFloat(mt.winRate),
        profit_factor: jsonFloat(mt.profitFactor),
        trades: mt.trades,
        avg_trade_pnl: jsonFloat(mt.avgTradePnl),
        longest_win_streak: mt.longestWinStreak,
        longest_loss_streak: mt.longestLossStreak,
        exposure: jsonFloat(mt.exposure),
        monthly_returns: mt.monthlyReturns,
        passed: x.passed,
        result: { ...x.result, trades: undefined },
        duration_ms: Math.round(x.durationMs),
        split_ts: new Date(v.splitMs).toISOString(),
        is_score: jsonFloat(v.isScore),
        folds: v.folds,
        oos: v.oos,
        oos_sharpe: jsonFloat(v.oosSharpe),
        oos_total_return: jsonFloat(v.oosTotalReturn),
        oos_trades: v.oosTrades,
        oos_passed: v.oosPassed,
        return_moments: v.returnMoments,
        grid_returns: f64bytes(v.gridReturns).toString('base64'),
      };
    });
    const r = await client.query<{ id: string; strategy_id: string }>(
      `INSERT INTO backtest_results (strategy_id, dataset_id, engine_version, cycle_id, timeframe, bars, from_ts, to_ts, capital, fee_rate, slippage_rate,
         total_return, sharpe, sortino, max_drawdown, win_rate, profit_factor, trades, avg_trade_pnl, longest_win_streak, longest_loss_streak,
         exposure, monthly_returns, passed, result, duration_ms,
         split_ts, is_score, folds, oos, oos_sharpe, oos_total_return, oos_trades, oos_passed, return_moments, grid_returns)
       SELECT x.strategy_id, $1, $2, $3, x.timeframe, x.bars, x.from_ts, x.to_ts, x.capital, x.fee_rate, x.slippage_rate,
         x.total_return, x.sharpe, x.sortino, x.max_drawdown, x.win_rate, x.profit_factor, x.trades, x.avg_trade_pnl, x.longest_win_streak, x.longest_loss_streak,
         x.exposure, x.monthly_returns, x.passed, x.result, x.duration_ms,
         x.split_ts, x.is_score, x.folds, x.oos, x.oos_sharpe, x.oos_total_return, x.oos_trades, x.oos_passed, x.return_moments, decode(x.grid_returns, 'base64')
       FROM json_to_recordset($4::json)
         AS x(strategy_id text, timeframe text, bars int, from_ts timestamptz, to_ts timestamptz, capital float8, fee_rate float8, slippage_rate float8,
           total_return float8, sharpe float8, sortino float8, max_drawdown float8, win_rate float8, profit_factor float8, trades int, avg_trade_pnl float8,
           longest_win_streak int, longest_loss_streak int, exposure float8, monthly_returns jsonb, passed bool, result jsonb, duration_ms int,
           split_ts timestamptz, is_score float8, folds jsonb, oos jsonb, oos_sharpe float8, oos_total_return float8, oos_trades int, oos_passed bool,
           return_moments jsonb, grid_returns text)
       ON CONFLICT (strategy_id, dataset_id, engine_version) DO UPDATE SET
         cycle_id = EXCLUDED.cycle_id, timeframe = EXCLUDED.timeframe, bars = EXCLUDED.bars, from_ts = EXCLUDED.from_ts, to_ts = EXCLUDED.to_ts,
         capital = EXCLUDED.capital, fee_rate = EXCLUDED.fee_rate, slippage_rate = EXCLUDED.slippage_rate,
         total_return = EXCLUDED.total_return, sharpe = EXCLUDED.sharpe, sortino = EXCLUDED.sortino, max_drawdown = EXCLUDED.max_drawdown,
         win_rate = EXCLUDED.win_rate, profit_factor = EXCLUDED.profit_factor, trades = EXCLUDED.trades, avg_trade_pnl = EXCLUDED.avg_trade_pnl,
         longest_win_streak = EXCLUDED.longest_win_streak, longest_loss_streak = EXCLUDED.longest_loss_streak, exposure = EXCLUDED.exposure,
         monthly_returns = EXCLUDED.monthly_returns, passed = EXCLUDED.passed, result = EXCLUDED.result, duration_ms = EXCLUDED.duration_ms,
         split_ts = EXCLUDED.split_ts, is_score = EXCLUDED.is_score, folds = EXCLUDED.folds, oos = EXCLUDED.oos, oos_sharpe = EXCLUDED.oos_sharpe,
         oos_total_return = EXCLUDED.oos_total_return, oos_trades = EXCLUDED.oos_trades, oos_passed = EXCLUDED.oos_passed,
         return_moments = EXCLUDED.return_moments, grid_returns = EXCLUDED.grid_returns
       RETURNING id, strategy_id`,
      [o.datasetId, o.engineVersion, o.cycleId, JSON.stringify(rows)],
    );
    for (const row of r.rows) ids.set(row.strategy_id, row.id);
    await client.query(`UPDATE strategies s SET sharpe = x.sharpe FROM unnest($1::text[], $2::float8[]) AS x(id, sharpe) WHERE s.id = x.id`, [col((x) => x.strategyId), col((x) => m(x).sharpe)]);

    const stored = items.filter((x) => x.curve);
    if (stored.length > 0) {
      const max = o.maxCurvePoints ?? 500;
      // Callers usually downsample when they collect a curve (runBatch does): only a longer one is cut here.
      const curves = stored.map((x) => {
        const c = x.curve as { tsMs: Float64Array; equity: Float64Array };
        return c.equity.length > max ? downsampleCurve(c.tsMs, c.equity, max) : c;
      });
      await client.query(
        `INSERT INTO equity_curves (result_id, points, ts_ms, equity)
         SELECT * FROM unnest($1::uuid[], $2::int[], $3::bytea[], $4::bytea[])
         ON CONFLICT (result_id) DO UPDATE SET points = EXCLUDED.points, ts_ms = EXCLUDED.ts_ms, equity = EXCLUDED.equity`,
        [stored.map((x) => ids.get(x.strategyId)), curves.map((c) => c.equity.length), curves.map((c) => f64bytes(c.tsMs)), curves.map((c) => f64bytes(c.equity))],
      );
      const rows: TradeRow[] = [];
      stored.forEach((x, result) => x.result.trades.forEach((t, seq) => rows.push({ result, seq, t })));
      await insertTradeRows(client, stored.map((x) => ids.get(x.strategyId) as string), rows);
    }
    await client.query(
      `UPDATE cycle_strategies SET state = 'done', error = NULL, updated_at = now()
       WHERE cycle_id = $1 AND strategy_id = ANY($2::text[]) AND state <> 'done'`,
      [o.cycleId, col((x) => x.strategyId)],
    );
    await client.query('COMMIT');
    return ids;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
