import { DataError, parseStrategy, passesFilters, StrategyValidationError, tradesJson, type StrategyDocument } from '@mastertrade/core';
import { FINAL_STATES, downsampleCurve, getCycle, loadDocuments, markMembers, saveBatchResults, type BatchResultInput, type Db } from '@mastertrade/db';
import type { BacktestRunPayload, BacktestRunResult } from '@mastertrade/queue';
import { cycleConfigSchema } from './cycle-config.js';
import type { DatasetCache } from './dataset-cache.js';
import { validateStrategy, walkForwardPlan, type StrategyValidation } from './validation.js';

export interface RunBatchDeps {
  db: Db;
  datasets: DatasetCache;
  signal?: AbortSignal;
  now?: () => number;
}

/**
 * The `backtest.run` job: runs a batch of a cycle's strategies on the cycle's dataset (in
 * sample, K walk-forward folds, out of sample: see validation.ts) and writes the batch's results
 * in one transaction when it ends (idempotent key: strategy + dataset + engine). A
 * strategy already done is skipped, so a retried or re-delivered batch never runs one twice;
 * a strategy that cannot run (bad document, data error) is marked failed and the rest go on;
 * past the deadline or after the cycle closed, the rest is left to the deadline handler.
 */
export async function runBatch(p: BacktestRunPayload, deps: RunBatchDeps): Promise<BacktestRunResult> {
  const t0 = performance.now();
  const { db } = deps;
  const out = { done: 0, skipped: 0, failed: 0, passed: 0, ms: 0 };
  const cycle = await getCycle(db.pool, p.cycleId);
  if (!cycle || FINAL_STATES.includes(cycle.state)) {
    out.skipped = p.strategyIds.length;
    return { ...out, ms: performance.now() - t0 };
  }
  const cfg = cycleConfigSchema.parse(cycle.config);
  const states = await db.pool.query<{ strategy_id: string; state: string }>(
    `SELECT strategy_id, state FROM cycle_strategies WHERE cycle_id = $1 AND strategy_id = ANY($2::text[])`,
    [p.cycleId, p.strategyIds],
  );
  const todo = states.rows.filter((r) => r.state === 'queued' || r.state === 'failed').map((r) => r.strategy_id);
  out.skipped = p.strategyIds.length - todo.length;
  const docs = await loadDocuments(db.pool, todo);
  const data = await deps.datasets.get(p.datasetId);
  const deadline = cycle.deadline?.getTime() ?? Infinity;
  const readMs = performance.now() - t0;
  const plan = walkForwardPlan(data.series(cfg.symbols[0] as string, cfg.baseTimeframe as never), cfg.validation.inSampleFraction, cfg.validation.folds);
  // Results are written together when the batch ends (one transaction: see saveBatchResults),
  // or earlier when it is cut short. An unexpected engine error leaves that strategy queued and
  // the batch goes on; the first one is rethrown at the end so the job retries only what is
  // still queued, and one strategy that always throws cannot take the rest down with it.
  let firstError: unknown = null;
  let errors = 0;
  const finished: BatchResultInput[] = [];
  for (const id of todo) {
    if (deps.signal?.aborted || (deps.now ?? Date.now)() > deadline) {
      out.skipped += todo.length - finished.length - out.failed - errors;
      break;
    }
    try {
      const started = performance.now();
      let v: StrategyValidation;
      let doc: StrategyDocument;
      try {
        doc = parseStrategy(docs.get(id));
        v = validateStrategy(doc, doc.symbols.map((s) => data.series(s, doc.timeframe)), {
          settings: cfg.settings,
          filters: cfg.filters,
          oosFilters: cfg.validation.oos,
          fitness: cfg.fitness,
          plan,
          cache: data.indicators,
          reuseStorage: true,
          // Trades are stored for the strategies that pass only: made below for those.
          inSampleTrades: false,
        });
      } catch (err) {
        if (err instanceof StrategyValidationError || err instanceof DataError) {
          await markMembers(db.pool, p.cycleId, [id], 'failed', `${err.name}: ${err.message}`.slice(0, 2000));
          out.failed++;
          continue;
        }
        throw err;
      }
      const passed = passesFilters(v.inSample.metrics, cfg.filters);
      finished.push({
        strategyId: id,
        result: passed ? { ...v.inSample, trades: tradesJson(doc, v.inSampleRun) } : v.inSample,
        passed,
        durationMs: performance.now() - started,
        validation: {
          splitMs: plan.splitMs,
          isScore: v.isScore,
          folds: v.folds,
          oos: v.outOfSample,
          oosSharpe: v.outOfSample?.sharpe ?? null,
          oosTotalReturn: v.outOfSample?.totalReturn ?? null,
          oosTrades: v.outOfSample?.trades ?? null,
          oosPassed: v.oosPassed,
          returnMoments: v.gridMoments,
          gridReturns: v.gridReturns,
        },
        // Equity and trades are kept for the strategies that passed: the curve as stored (the run's
        // own arrays are reused by the next strategy).
        curve: passed ? downsampleCurve(v.inSampleRun.tsMs, v.inSampleRun.equity) : null,
      });
    } catch (err) {
      errors++;
      firstError ??= err;
    }
  }
  const tWrite = performance.now();
  const key = { cycleId: p.cycleId, datasetId: p.datasetId, engineVersion: p.engineVersion };
  const stored = (items: readonly BatchResultInput[]) => {
    out.done += items.length;
    out.passed += items.filter((x) => x.passed).length;
  };
  try {
    await saveBatchResults(db, key, finished);
    stored(finished);
  } catch {
    // One result that cannot be stored must not take its batch down: store them one at a
    // time, so only that strategy stays queued (and fails once the job's attempts are spent).
    for (const item of finished) {
      try {
        await saveBatchResults(db, key, [item]);
        stored([item]);
      } catch (err) {
        errors++;
        firstError ??= err;
      }
    }
  }
  if (errors > 0) throw firstError;
  const end = performance.now();
  return { ...out, ms: end - t0, readMs, computeMs: tWrite - t0 - readMs, writeMs: end - tWrite };
}
