import {
  choosePromotions,
  computeInsights,
  filterFailures,
  FITNESS_FUNCTIONS,
  parseStrategy,
  passesFilters,
  updatePatterns,
  updatePopulation,
  type Evaluated,
  type PatternState,
  type PopulationMember,
} from '@mastertrade/core';
import {
  cycleResults,
  getCycle,
  latestPopulation,
  loadPatterns,
  markResultsPassed,
  memberCounts,
  saveInsight,
  savePatterns,
  savePopulation,
  setStatuses,
  updateCycle,
} from '@mastertrade/db';
import { cycleConfigSchema } from './cycle-config.js';
import { nowOf, type PipelineDeps } from './deps.js';

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
export async function finalizeCycle(cycleId: string, deps: PipelineDeps, opts: { reason: FinalizeReason; failedJobs?: Record<string, string> }): Promise<FinalizeResult | null> {
  const client = await deps.db.pool.connect();
  const t0 = Date.now();
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
    const evaluated: (Evaluated & { resultId: string })[] = rows.map((r) => ({
      hash: r.strategyId,
      doc: parseStrategy(r.document),
      metrics: r.metrics,
      fitness: fitnessOf(r.metrics),
      passed: passesFilters(r.metrics, cfg.filters),
      resultId: r.resultId,
    }));
    await markResultsPassed(client, evaluated.filter((e) => e.passed).map((e) => e.resultId), true);
    await markResultsPassed(client, evaluated.filter((e) => !e.passed).map((e) => e.resultId), false);

    const insights = computeInsights(evaluated);
    await saveInsight(client, cycleId, 'statistics', { ...insights, fitness: cfg.fitness, filters: cfg.filters });

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

    const prevPopulation: PopulationMember[] = (await latestPopulation(client, cycleId)).map((m) => ({ hash: m.strategyId, doc: parseStrategy(m.document), fitness: m.fitness }));
    const population = updatePopulation(prevPopulation, evaluated, cfg.ga.populationSize);
    await savePopulation(client, cycleId, population.map((m) => ({ strategyId: m.hash, fitness: m.fitness })));

    const promoted = choosePromotions(evaluated, cfg.promotion);
    const promotedIds = new Set(promoted.map((p) => p.hash));
    await setStatuses(
      client,
      evaluated.map((e) => ({
        id: e.hash,
        status: promotedIds.has(e.hash) ? 'paper_trading' : e.passed ? 'passed' : 'rejected',
        reason: e.passed ? null : filterFailures(e.metrics, cfg.filters).join('; '),
      })),
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
    deps.log.info({ cycleId, state, ...counts, promoted: promoted.length, reason: opts.reason }, 'cycle finished');
    return { cycleId, state, backtested: counts.done, passed: evaluated.filter((e) => e.passed).length, failed: counts.failed, cancelled: counts.cancelled, promoted: promoted.length };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
