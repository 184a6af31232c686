import { DataError, parseStrategy, passesFilters, simulate, StrategyValidationError, toResult } from '@mastertrade/core';
import { loadDocuments, saveBacktestResult, saveEquityCurve, saveTrades, type Db } from '@mastertrade/db';
import { InvalidInputError, type BacktestUserPayload, type BacktestUserResult } from '@mastertrade/queue';
import { defaultCycleConfig } from './cycle-config.js';
import type { DatasetCache } from './dataset-cache.js';
import { prepareDataset } from './dataset.js';

export interface UserBacktestDeps {
  db: Db;
  datasets: DatasetCache;
}

/**
 * The `backtest.user` job: one document a user submitted through the API (already validated
 * and stored there, id = its hash), run outside any cycle on the last `days` days of stored or
 * embedded candles, with the default costs. Unlike cycle members, its trades and equity curve
 * are always kept: the user asked for this one. `passed` records the default filters' verdict;
 * the strategy becomes `backtested` (promotion stays a decision made by hand). A document that
 * can never run (invalid, unknown symbols) fails at once without retries.
 */
export async function runUserBacktest(p: BacktestUserPayload, deps: UserBacktestDeps): Promise<BacktestUserResult> {
  const t0 = performance.now();
  const { db } = deps;
  const cfg = defaultCycleConfig();
  const stored = (await loadDocuments(db.pool, [p.strategyId])).get(p.strategyId);
  if (stored === undefined) throw new InvalidInputError(`strategy ${p.strategyId} does not exist`);
  try {
    const doc = parseStrategy(stored);
    const ds = await prepareDataset(db, { symbols: doc.symbols, days: p.days, baseTimeframe: cfg.baseTimeframe });
    const data = await deps.datasets.get(ds.datasetId);
    const run = simulate(doc, doc.symbols.map((s) => data.series(s, doc.timeframe)), cfg.settings, data.indicators);
    const result = toResult(doc, run, cfg.settings);
    const passed = passesFilters(result.metrics, cfg.filters);
    const row = await saveBacktestResult(db, {
      strategyId: p.strategyId,
      datasetId: ds.datasetId,
      engineVersion: p.engineVersion,
      result,
      passed,
      durationMs: performance.now() - t0,
    });
    await saveTrades(db, row.id, result.trades);
    await saveEquityCurve(db, row.id, run.tsMs, run.equity);
    await markUserStrategy(db, p.strategyId, 'backtested', null);
    return { strategyId: p.strategyId, datasetId: ds.datasetId, resultId: row.id, passed, trades: result.trades.length, ms: performance.now() - t0 };
  } catch (err) {
    if (err instanceof StrategyValidationError || err instanceof DataError) {
      await markUserStrategy(db, p.strategyId, 'rejected', `${err.name}: ${err.message}`.slice(0, 2000));
      throw new InvalidInputError(`${err.name}: ${err.message}`);
    }
    throw err;
  }
}

/** Moves a strategy on from `generated` only: a document a cycle already judged keeps its status. */
async function markUserStrategy(db: Db, id: string, status: 'backtested' | 'rejected', reason: string | null): Promise<void> {
  await db.pool.query(
    `UPDATE strategies SET status = $2::strategy_status, status_reason = $3, updated_at = now() WHERE id = $1 AND status = 'generated'`,
    [id, status, reason],
  );
}
