import { createRng, generateCandidates, parseStrategy, type ParameterRange, type PatternState, type PopulationMember, type StrategyDocument } from '@mastertrade/core';
import {
  addCycleMembers,
  cycleBatches,
  ensureCycle,
  FINAL_STATES,
  latestInsight,
  latestPopulation,
  loadPatterns,
  saveStrategies,
  testedStrategyIds,
  updateCycle,
  type CycleRow,
} from '@mastertrade/db';
import { jobIds, SkipError, type CycleStartPayload } from '@mastertrade/queue';
import { cycleConfigSchema, type CycleConfig } from './cycle-config.js';
import { prepareDataset } from './dataset.js';
import { nowOf, type PipelineDeps } from './deps.js';
import { enqueueBacktests } from './flow.js';

export interface StartCycleDeps extends PipelineDeps {
  /** Cycle configuration for a new cycle (an existing cycle keeps the one stored with it). */
  config: CycleConfig;
  /** Fetch fresh candles first (the data-fetcher); omitted = use stored/embedded data. */
  fetch?: (symbols: readonly string[]) => Promise<void>;
}

export interface StartCycleResult {
  cycleId: string;
  generated: number;
  batches: number;
  datasetId: string;
  resumed: boolean;
}

/**
 * The `cycle.start` job: create (or resume) the cycle, fix its dataset, generate its
 * strategies and enqueue the flow of backtests under the learner. Every step is idempotent and
 * skipped when already done, so a crashed or repeated start resumes where it stopped.
 */
export async function startCycle(p: CycleStartPayload, deps: StartCycleDeps): Promise<StartCycleResult> {
  const { db, log } = deps;
  const pool = db.pool;
  const now = nowOf(deps);
  const config: CycleConfig = cycleConfigSchema.parse({ ...deps.config, symbols: p.symbols, ...(p.timeframes ? { timeframes: p.timeframes } : {}) });
  const { cycle: existing, created } = await ensureCycle(pool, {
    id: p.cycleId,
    day: new Date(now).toISOString().slice(0, 10),
    trigger: p.trigger,
    seed: p.seed,
    requestedCount: p.count,
    deadline: new Date(p.deadlineMs),
    config,
  });
  if (FINAL_STATES.includes(existing.state)) throw new SkipError(`cycle ${p.cycleId} already ${existing.state}`);
  let cycle: CycleRow = existing;
  const cfg = cycleConfigSchema.parse(cycle.config);
  log.info({ cycleId: p.cycleId, created, state: cycle.state }, created ? 'cycle created' : 'cycle resumed');

  if (!cycle.datasetId) {
    await updateCycle(pool, cycle.id, { state: 'fetching', startedAt: new Date(now) }, ['pending', 'fetching']);
    const t0 = Date.now();
    const ds = await prepareDataset(db, { symbols: cfg.symbols, days: cfg.days, baseTimeframe: cfg.baseTimeframe, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
    if (ds.note) log.warn({ cycleId: cycle.id, note: ds.note }, 'cycle data fallback');
    await updateCycle(pool, cycle.id, { datasetId: ds.datasetId, dataSource: ds.source, dataNote: ds.note, state: 'generating', timings: { fetching: Date.now() - t0 } });
    cycle = { ...cycle, datasetId: ds.datasetId };
  }
  const datasetId = cycle.datasetId as string;
  // Workers start reading the candles now, while the strategies are generated (a hint only).
  await deps.queues.announceDataset(datasetId).catch((err: unknown) => log.debug({ err: (err as Error).message }, 'dataset announcement not sent'));

  let batches = await cycleBatches(pool, cycle.id);
  if (batches.size === 0) {
    const t0 = Date.now();
    const candidates = await generate(deps, cycle, cfg, datasetId);
    await saveStrategies(db, candidates.map((c) => ({ document: c.doc, origin: c.origin, parentIds: c.parents, cycleId: cycle.id })));
    await addCycleMembers(
      pool,
      cycle.id,
      candidates.map((c, i) => ({ strategyId: c.hash, origin: c.origin, batch: Math.floor(i / cfg.batchSize) })),
    );
    await updateCycle(pool, cycle.id, { generatedCount: candidates.length, timings: { generating: Date.now() - t0 } });
    batches = await cycleBatches(pool, cycle.id);
    log.info({ cycleId: cycle.id, generated: candidates.length, batches: batches.size }, 'strategies generated');
  }
  await updateCycle(pool, cycle.id, { state: 'backtesting' }, ['pending', 'fetching', 'generating', 'backtesting']);
  const pending = await cycleBatches(pool, cycle.id, ['queued']);
  await enqueueBacktests(deps.queues, { cycleId: cycle.id, datasetId, engineVersion: cfg.engineVersion, batches: pending });
  await deps.queues.add('cycle.deadline', { cycleId: cycle.id }, { jobId: jobIds.cycleDeadline(cycle.id), delay: Math.max(0, p.deadlineMs - nowOf(deps)) });
  return { cycleId: cycle.id, generated: [...batches.values()].reduce((a, b) => a + b.length, 0), batches: batches.size, datasetId, resumed: !created };
}

/** GA population, patterns and learned ranges from earlier cycles → this cycle's candidates. */
async function generate(deps: PipelineDeps, cycle: CycleRow, cfg: CycleConfig, datasetId: string) {
  const pool = deps.db.pool;
  const population: PopulationMember[] = (await latestPopulation(pool, cycle.id)).flatMap((r) => {
    const doc = safeDoc(r.document);
    return doc ? [{ hash: r.strategyId, doc, fitness: r.fitness }] : [];
  });
  const patterns: PatternState[] = (await loadPatterns(pool)).flatMap((r) => {
    const doc = safeDoc(r.bestDocument);
    return doc
      ? [{ key: r.key, successes: r.successes, failures: r.failures, seen: r.seen, meanFitness: r.meanFitness, bestFitness: r.bestFitness, bestHash: r.bestStrategyId, bestDoc: doc }]
      : [];
  });
  const insight = await latestInsight(pool, 'statistics');
  const ranges = ((insight?.data as { parameterRanges?: Record<string, ParameterRange> } | undefined)?.parameterRanges ?? {}) as Record<string, ParameterRange>;
  const seen = await testedStrategyIds(pool, datasetId, cfg.engineVersion);
  return generateCandidates({
    count: cycle.requestedCount,
    population,
    patterns,
    ranges,
    seen,
    symbols: cfg.symbols,
    ...(cfg.timeframes ? { timeframes: cfg.timeframes } : {}),
    rng: createRng(cycle.seed),
    ga: cfg.ga,
  });
}

/** Documents read back from the database are validated again (STYLE §4: genomes from the DB at the edge). */
function safeDoc(value: unknown): StrategyDocument | null {
  try {
    return parseStrategy(value);
  } catch {
    return null;
  }
}
