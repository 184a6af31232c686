import { describe, expect, it } from 'vitest';
import { FITNESS_FUNCTIONS, type Metrics } from '@mastertrade/core';
import { cycleBatches } from '@mastertrade/db';
import { DatasetCache, defaultCycleConfig, finalizeCycle, runBatch, startCycle, type PipelineLogger } from '@mastertrade/pipeline';
import { Harness, SYMBOLS } from './helpers/harness.js';

const CYCLES = 4;
const COUNT = 60;
const quiet: PipelineLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

describe('learning across cycles', () => {
  it(`breeds GA strategies from the previous population over ${CYCLES} cycles (fixed seeds; GA vs random medians reported)`, { timeout: 180_000 }, async () => {
    const h = await Harness.create();
    const config = defaultCycleConfig({ batchSize: 20, days: 30 });
    const deps = { db: h.db, queues: await h.queues(), log: quiet, config };
    const datasets = new DatasetCache(h.db);
    const fitness = FITNESS_FUNCTIONS[config.fitness];
    const byOrigin: Record<string, number[]>[] = [];

    // The cycle's steps in this process (the services only add queues around them): start, every batch, learn.
    for (let c = 1; c <= CYCLES; c++) {
      const cycleId = `learn-${c}`;
      const started = await startCycle({ cycleId, trigger: 'manual', count: COUNT, seed: `learning-seed-${c}`, symbols: SYMBOLS, deadlineMs: Date.now() + 3600_000 }, deps);
      for (const strategyIds of (await cycleBatches(h.db.pool, cycleId, ['queued'])).values()) {
        await runBatch({ cycleId, datasetId: started.datasetId, engineVersion: config.engineVersion, strategyIds }, { db: h.db, datasets });
      }
      const fin = await finalizeCycle(cycleId, deps, { reason: 'children_settled' });
      expect(fin?.state, `cycle ${c} completed`).toBe('completed');

      const rows = await h.db.pool.query<{ origin: string; metrics: Metrics; parents: string[] | null }>(
        `SELECT cs.origin, br.result->'metrics' AS metrics, s.parent_ids AS parents
         FROM cycle_strategies cs JOIN strategies s ON s.id = cs.strategy_id
         JOIN backtest_results br ON br.strategy_id = cs.strategy_id AND br.dataset_id = $2
         WHERE cs.cycle_id = $1`,
        [cycleId, started.datasetId],
      );
      expect(rows.rows, `every strategy of cycle ${c} has a result`).toHaveLength(COUNT);
      const groups: Record<string, number[]> = {};
      for (const r of rows.rows) (groups[r.origin] ??= []).push(fitness(r.metrics));
      byOrigin.push(groups);

      if (c === 1) {
        expect(Object.keys(groups), 'the first cycle has no population to breed from').toEqual(['random']);
      } else {
        // Deterministic structure: the GA bred this cycle's GA strategies from the previous cycle's population.
        expect(groups.ga?.length ?? 0, `cycle ${c} has GA strategies`).toBeGreaterThan(COUNT / 2);
        const prev = await h.db.pool.query<{ strategy_id: string }>(`SELECT strategy_id FROM ga_population WHERE cycle_id = $1`, [`learn-${c - 1}`]);
        const population = new Set(prev.rows.map((r) => r.strategy_id));
        const gaParents = rows.rows.filter((r) => r.origin === 'ga').flatMap((r) => r.parents ?? []);
        expect(gaParents.length).toBeGreaterThan(0);
        expect(gaParents.filter((p) => !population.has(p)), 'GA parents come from the previous population').toEqual([]);
      }
    }

    const ga = byOrigin.slice(1).flatMap((g) => g.ga ?? []);
    const random = byOrigin.flatMap((g) => g.random ?? []);
    const lines = byOrigin.map((g, i) =>
      `cycle ${i + 1}: ${Object.entries(g)
        .map(([o, xs]) => `${o} n=${xs.length} median=${median(xs).toFixed(3)}`)
        .join(', ')}`,
    );
    console.info(
      `learning (${config.fitness}, seeds learning-seed-1..${CYCLES}):\n  ${lines.join('\n  ')}\n  GA (cycles 2-${CYCLES}) median ${median(ga).toFixed(3)} (n=${ga.length}) vs random (all cycles) median ${median(random).toFixed(3)} (n=${random.length})`,
    );
    expect(ga.every(Number.isFinite) && random.every(Number.isFinite), 'fitness values are finite').toBe(true);
    // Fixed seeds, fixed data, deterministic engine: these figures repeat exactly from run to run.
    expect(median(ga), 'the GA\'s new strategies beat random ones (median fitness)').toBeGreaterThan(median(random));
  });
});
