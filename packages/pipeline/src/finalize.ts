import {
  biasGate,
  computeInsights,
  filterFailures,
  FITNESS_FUNCTIONS,
  parseStrategy,
  passesFilters,
  updatePatterns,
  updatePopulation,
  type Evaluated,
  type PatternState,
  type PboResult,
  type PopulationMember,
} from '@mastertrade/core';
import {
  cycleResults,
  getCycle,
  latestPopulation,
  loadPatterns,
  markResultsPassed,
  memberCounts,
  bytesToF64,
  saveInsight,
  savePatterns,
  saveSelection,
  savePopulation,
  setStatuses,
  updateCycle,
} from '@mastertrade/db';
import { cycleConfigSchema, type CycleConfig } from './cycle-config.js';
import type { DatasetCache } from './dataset-cache.js';
import { nowOf, type PipelineDeps } from './deps.js';
import type { PboThread } from './pbo-thread.js';
import { judge, logitHistogram, pboSeries, type Judged, type SelectionItem, type SelectionReport } from './selection.js';
import { walkForwardPlan } from './validation.js';

export interface FinalizeDeps extends PipelineDeps {
  /** Candles for the bias gate (omitted: the gate is skipped and says so). */
  datasets?: DatasetCache;
  /** Where the cycle's PBO is computed while the other steps run (omitted: computed in place, in turn). */
  pbo?: Pick<PboThread, 'compute'>;
}

export type FinalizeReason = 'children_settled' | 'deadline' | 'reconciler';

export interface FinalizeResult {
  cycleId: string;
  state: 'completed' | 'partial';
  backtested: number;
  passed: number;
  failed: number;
  cancelled: number;
  promoted: number;
}

/**
 * The learner: once a cycle's backtests have settled (or its deadline passed), judge every
 * result with the cycle's filters, compute the learning insights, update the pattern bandit
 * and the GA population, promote the best to paper trading, and close the cycle. One
 * transaction, entered through a guarded state change, so it runs exactly once per cycle
 * however many times it is triggered. Members that never ran are `failed` (their job failed)
 * or `cancelled` (deadline); a cancellation makes the cycle `partial`.
 */
export async function finalizeCycle(cycleId: string, deps: FinalizeDeps, opts: { reason: FinalizeReason; failedJobs?: Record<string, string> }): Promise<FinalizeResult | null> {
  const client = await deps.db.pool.connect();
  const t0 = Date.now();
  // Milliseconds per step of the learning phase, logged with the cycle's end.
  const steps: Record<string, number> = {};
  let lapAt = performance.now();
  const lap = (step: string) => {
    const now = performance.now();
    steps[step] = Math.round((now - lapAt) * 10) / 10;
    lapAt = now;
  };
  try {
    await client.query('BEGIN');
    const won = await updateCycle(client, cycleId, { state: 'learning' }, ['backtesting']);
    if (!won) {
      await client.query('ROLLBACK');
      return null;
    }
    const cycle = await getCycle(client, cycleId);
    if (!cycle) throw new Error(`cycle ${cycleId} vanished`);
    const cfg = cycleConfigSchema.parse(cycle.config);
    const leftover = opts.reason === 'deadline' ? 'cancelled' : 'failed';
    const why = opts.reason === 'deadline' ? 'cancelled: cycle deadline reached' : `backtest job failed: ${Object.values(opts.failedJobs ?? {})[0] ?? 'unknown error'}`;
    await client.query(
      `UPDATE cycle_strategies SET state = $2::cycle_strategy_state, error = $3, updated_at = now() WHERE cycle_id = $1 AND state = 'queued'`,
      [cycleId, leftover, why.slice(0, 2000)],
    );

    const fitnessOf = FITNESS_FUNCTIONS[cfg.fitness];
    const rows = await cycleResults(client, cycleId);
    // The GA, the filters and the patterns see in-sample results only; the fitness is the
    // walk-forward score (mean and worst of the in-sample folds) where one was computed.
    const evaluated: (Evaluated & { resultId: string; row: (typeof rows)[number] })[] = rows.map((r) => ({
      hash: r.strategyId,
      doc: parseStrategy(r.document),
      metrics: r.metrics,
      fitness: r.isScore ?? fitnessOf(r.metrics),
      passed: passesFilters(r.metrics, cfg.filters),
      resultId: r.resultId,
      row: r,
    }));
    const selectionItems: SelectionItem[] = evaluated.map((e) => ({
      hash: e.hash,
      score: e.fitness,
      passed: e.passed,
      metrics: e.metrics,
      oosPassed: e.row.oosPassed,
      oosFailures: e.row.oos ? [] : ['no out-of-sample result'],
      gridMoments: e.row.returnMoments,
      gridReturns: bytesToF64(e.row.gridReturns),
    }));
    // The PBO (the longest step) starts now in its thread; the statistics, patterns and
    // population are stored meanwhile.
    const pboPending = deps.pbo ? pboInThread(deps.pbo, deps.log, cycleId, selectionItems, cfg.validation.pboBlocks) : undefined;
    lap('read');
    await markResultsPassed(client, evaluated.filter((e) => e.passed).map((e) => e.resultId), true);
    await markResultsPassed(client, evaluated.filter((e) => !e.passed).map((e) => e.resultId), false);
    lap('filters');

    const insights = computeInsights(evaluated);
    await saveInsight(client, cycleId, 'statistics', { ...insights, fitness: cfg.fitness, filters: cfg.filters });
    lap('statistics');

    const prevPatterns: PatternState[] = (await loadPatterns(client)).map((p) => ({
      key: p.key,
      successes: p.successes,
      failures: p.failures,
      seen: p.seen,
      meanFitness: p.meanFitness,
      bestFitness: p.bestFitness,
      bestHash: p.bestStrategyId,
      bestDoc: parseStrategy(p.bestDocument),
    }));
    const patterns = updatePatterns(prevPatterns, evaluated);
    await savePatterns(
      client,
      cycleId,
      patterns.map((p) => ({ key: p.key, successes: p.successes, failures: p.failures, seen: p.seen, meanFitness: p.meanFitness, bestFitness: p.bestFitness, bestStrategyId: p.bestHash })),
    );
    await saveInsight(client, cycleId, 'patterns', {
      method: 'discounted Thompson sampling over Beta-Bernoulli posteriors per pattern (timeframe + entry-condition shapes)',
      patterns: patterns.slice(0, 50).map((p) => ({ key: p.key, successes: p.successes, failures: p.failures, seen: p.seen, posteriorMean: (1 + p.successes) / (2 + p.successes + p.failures), meanFitness: p.meanFitness, bestFitness: p.bestFitness, bestStrategyId: p.bestHash })),
    });
    lap('patterns');

    const prevPopulation: PopulationMember[] = (await latestPopulation(client, cycleId)).map((m) => ({ hash: m.strategyId, doc: parseStrategy(m.document), fitness: m.fitness }));
    const population = updatePopulation(prevPopulation, evaluated, cfg.ga.populationSize);
    await savePopulation(client, cycleId, population.map((m) => ({ strategyId: m.hash, fitness: m.fitness })));
    lap('population');

    // undefined (no thread, or it failed): judge() computes the PBO in place.
    const pbo = await pboPending;
    lap('pboWait');
    const selection = judge(
      selectionItems,
      { maxPromoted: cfg.promotion.maxPromoted, minTrades: cfg.promotion.minTrades, minDsr: cfg.validation.minDsr, requireOos: cfg.validation.requireOos },
      cfg.validation.pboBlocks,
      pbo,
    );
    lap('selection');
    const gate = await runBiasGate(selection, evaluated, cfg, cycle.datasetId, deps);
    lap('biasGate');
    const promoted = gate.promoted;
    const promotedIds = new Set(promoted);
    await saveSelection(
      client,
      selection.judged.map((j, i) => ({ resultId: (evaluated[i] as { resultId: string }).resultId, dsr: j.dsr, bias: gate.reports.get(j.hash) ?? null })),
    );
    await saveInsight(client, cycleId, 'selection', {
      trials: selection.trials,
      trialsSharpeVariance: selection.trialsSharpeVariance,
      expectedMaxSharpe: selection.expectedMaxSharpe,
      minDsr: cfg.validation.minDsr,
      candidates: selection.candidates.length,
      promoted: promoted.length,
      biasRejected: gate.rejected.size,
      pbo: selection.pbo ? { pbo: selection.pbo.pbo, splits: selection.pbo.splits, strategies: selection.pbo.strategies, blocks: selection.pbo.blocks, rowsPerBlock: selection.pbo.rowsPerBlock, overfit: selection.pbo.pbo > 0.5, logits: logitHistogram(selection.pbo.logits) } : null,
    });
    const judgedBy = new Map(selection.judged.map((j) => [j.hash, j]));
    await setStatuses(
      client,
      evaluated.map((e) => {
        const rejectedBy = gate.rejected.get(e.hash);
        if (promotedIds.has(e.hash)) return { id: e.hash, status: 'paper_trading' as const, reason: null };
        if (rejectedBy) return { id: e.hash, status: 'rejected' as const, reason: rejectedBy };
        if (!e.passed) return { id: e.hash, status: 'rejected' as const, reason: filterFailures(e.metrics, cfg.filters).join('; ') };
        const blockers = judgedBy.get(e.hash)?.blockers ?? [];
        return { id: e.hash, status: 'passed' as const, reason: blockers.length ? `not promoted: ${blockers.join('; ')}` : 'not promoted: outranked' };
      }),
    );

    const counts = await memberCounts(client, cycleId);
    const state = counts.cancelled > 0 || opts.reason === 'deadline' ? 'partial' : 'completed';
    const finished = nowOf(deps);
    const spent = (cycle.timings.fetching ?? 0) + (cycle.timings.generating ?? 0);
    await updateCycle(client, cycleId, {
      state,
      generatedCount: counts.total,
      backtestedCount: counts.done,
      passedCount: evaluated.filter((e) => e.passed).length,
      failedCount: counts.failed,
      promotedCount: promoted.length,
      finishedAt: new Date(finished),
      timings: {
        backtesting: Math.max(0, t0 - (cycle.startedAt?.getTime() ?? t0) - spent),
        learning: Date.now() - t0,
        total: Math.max(0, finished - (cycle.startedAt?.getTime() ?? finished)),
      },
    });
    await client.query('COMMIT');
    lap('store');
    deps.log.info({ cycleId, state, ...counts, promoted: promoted.length, pbo: selection.pbo?.pbo ?? null, reason: opts.reason, stepsMs: steps }, 'cycle finished');
    return { cycleId, state, backtested: counts.done, passed: evaluated.filter((e) => e.passed).length, failed: counts.failed, cancelled: counts.cancelled, promoted: promoted.length };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * The cycle's PBO from the learner's thread: null when there is none to compute (see
 * pboSeries), undefined when the thread failed (logged; the caller computes it in place).
 */
async function pboInThread(
  thread: NonNullable<FinalizeDeps['pbo']>,
  log: FinalizeDeps['log'],
  cycleId: string,
  items: readonly SelectionItem[],
  blocks: number,
): Promise<PboResult | null | undefined> {
  const series = pboSeries(items);
  if (!series) return null;
  try {
    return await thread.compute(series, blocks);
  } catch (err) {
    log.warn({ cycleId, err: (err as Error).message }, 'PBO thread failed; computing the PBO in the learner');
    return undefined;
  }
}

/**
 * The bias gate on the best candidates (up to three times the promotion quota, in score
 * order) until the quota is filled: a look-ahead failure rejects the strategy, an edge that
 * vanishes with one bar of delay keeps it from promotion; both reasons are stored.
 */
async function runBiasGate(
  selection: SelectionReport,
  evaluated: readonly { hash: string; doc: Evaluated['doc'] }[],
  cfg: CycleConfig,
  datasetId: string | null,
  deps: FinalizeDeps,
): Promise<{ promoted: string[]; rejected: Map<string, string>; reports: Map<string, unknown> }> {
  const promoted: string[] = [];
  const rejected = new Map<string, string>();
  const reports = new Map<string, unknown>();
  const docs = new Map(evaluated.map((e) => [e.hash, e.doc]));
  const max = cfg.promotion.maxPromoted;
  if (!cfg.validation.biasGate || !deps.datasets || !datasetId) {
    for (const c of selection.candidates.slice(0, max)) promoted.push(c.hash);
    if (cfg.validation.biasGate) deps.log.warn({}, 'bias gate skipped: no candle access in this process');
    return { promoted, rejected, reports };
  }
  const data = await deps.datasets.get(datasetId);
  const plan = walkForwardPlan(data.series(cfg.symbols[0] as string, cfg.baseTimeframe as never), cfg.validation.inSampleFraction, cfg.validation.folds);
  for (const c of selection.candidates.slice(0, max * 3) as Judged[]) {
    if (promoted.length >= max) break;
    const doc = docs.get(c.hash);
    if (!doc) continue;
    const series = doc.symbols.map((s) => data.series(s, doc.timeframe));
    const split = series[0]?.tsMs.findIndex((t) => t >= plan.splitMs) ?? -1;
    // The delay run covers the in-sample range the strategy was selected on.
    const report = biasGate(doc, series, cfg.settings, data.indicators, split > 0 ? { range: { from: 0, to: split } } : {});
    reports.set(c.hash, report);
    if (!report.lookaheadOk) rejected.set(c.hash, `bias gate: look-ahead (${report.lookaheadDetail})`);
    else if (report.edgeVanishes) rejected.set(c.hash, `bias gate: the edge vanishes with one bar of delay (sharpe ${report.base.sharpe?.toFixed(2)} -> ${report.delayed.sharpe?.toFixed(2) ?? 'undefined'})`);
    else promoted.push(c.hash);
  }
  return { promoted, rejected, reports };
}
