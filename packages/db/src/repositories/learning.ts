import type pg from 'pg';

type Queryable = pg.Pool | pg.PoolClient;

export interface PopulationRow {
  strategyId: string;
  document: unknown;
  fitness: number;
}

/** The GA population of the most recent finished cycle (empty before the first). */
export async function latestPopulation(db: Queryable, excludeCycleId?: string): Promise<PopulationRow[]> {
  const r = await db.query(
    `SELECT g.strategy_id AS "strategyId", s.document, g.fitness
     FROM ga_population g JOIN strategies s ON s.id = g.strategy_id
     WHERE g.cycle_id = (SELECT c.id FROM cycles c WHERE c.state IN ('completed', 'partial') AND c.id IS DISTINCT FROM $1
                         AND EXISTS (SELECT 1 FROM ga_population p WHERE p.cycle_id = c.id)
                         ORDER BY c.finished_at DESC NULLS LAST, c.created_at DESC LIMIT 1)
     ORDER BY g.rank`,
    [excludeCycleId ?? null],
  );
  return r.rows as PopulationRow[];
}

export async function savePopulation(db: Queryable, cycleId: string, members: readonly { strategyId: string; fitness: number }[]): Promise<void> {
  await db.query(`DELETE FROM ga_population WHERE cycle_id = $1`, [cycleId]);
  if (members.length === 0) return;
  await db.query(
    `INSERT INTO ga_population (cycle_id, strategy_id, fitness, rank)
     SELECT $1, x.strategy_id, x.fitness, x.rank FROM jsonb_to_recordset($2::jsonb) AS x(strategy_id text, fitness float8, rank int)`,
    [cycleId, JSON.stringify(members.map((m, i) => ({ strategy_id: m.strategyId, fitness: m.fitness, rank: i + 1 })))],
  );
}

export interface PatternRow {
  key: string;
  successes: number;
  failures: number;
  seen: number;
  meanFitness: number;
  bestFitness: number;
  bestStrategyId: string;
  bestDocument: unknown;
}

export async function loadPatterns(db: Queryable): Promise<PatternRow[]> {
  const r = await db.query(
    `SELECT p.feature_key AS key, p.successes, p.failures, p.seen, p.mean_fitness AS "meanFitness", p.best_fitness AS "bestFitness",
            p.best_strategy_id AS "bestStrategyId", s.document AS "bestDocument"
     FROM patterns p JOIN strategies s ON s.id = p.best_strategy_id
     ORDER BY (1 + p.successes) / (2 + p.successes + p.failures) DESC`,
  );
  return r.rows as PatternRow[];
}

/** Replaces the bandit's state with `rows` (the learner computes the whole next state). */
export async function savePatterns(db: Queryable, cycleId: string, rows: readonly Omit<PatternRow, 'bestDocument'>[]): Promise<void> {
  await db.query(`DELETE FROM patterns`);
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO patterns (feature_key, success_count, failure_count, reward_sum, reward_sum_sq, last_cycle_id, successes, failures, seen, mean_fitness, best_fitness, best_strategy_id, updated_at)
     SELECT x.key, round(x.successes)::int, round(x.failures)::int, x.mean_fitness * x.seen, 0, $1, x.successes, x.failures, x.seen, x.mean_fitness, x.best_fitness, x.best_strategy_id, now()
     FROM jsonb_to_recordset($2::jsonb) AS x(key text, successes float8, failures float8, seen int, mean_fitness float8, best_fitness float8, best_strategy_id text)`,
    [cycleId, JSON.stringify(rows.map((p) => ({ key: p.key, successes: p.successes, failures: p.failures, seen: p.seen, mean_fitness: p.meanFitness, best_fitness: p.bestFitness, best_strategy_id: p.bestStrategyId })))],
  );
}

export async function saveInsight(db: Queryable, cycleId: string, kind: string, data: unknown): Promise<void> {
  await db.query(`DELETE FROM learning_insights WHERE cycle_id = $1 AND kind = $2`, [cycleId, kind]);
  await db.query(`INSERT INTO learning_insights (cycle_id, kind, data) VALUES ($1, $2, $3)`, [cycleId, kind, JSON.stringify(data)]);
}

/** The latest insight of a kind (e.g. `statistics`), with its cycle. */
export async function latestInsight(db: Queryable, kind: string): Promise<{ cycleId: string; data: unknown; createdAt: Date } | null> {
  const r = await db.query(`SELECT cycle_id AS "cycleId", data, created_at AS "createdAt" FROM learning_insights WHERE kind = $1 ORDER BY created_at DESC LIMIT 1`, [kind]);
  return (r.rows[0] as { cycleId: string; data: unknown; createdAt: Date } | undefined) ?? null;
}

/**
 * Sets strategy statuses in bulk after a cycle. A strategy already in paper trading, a live
 * candidate or retired is left alone: the paper trader owns those states (a later cycle that
 * re-tests an elite neither demotes it nor re-promotes a retired one).
 */
export async function setStatuses(db: Queryable, rows: readonly { id: string; status: 'passed' | 'rejected' | 'paper_trading'; reason: string | null }[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `UPDATE strategies s SET status = x.status::strategy_status, status_reason = x.reason, updated_at = now()
     FROM jsonb_to_recordset($1::jsonb) AS x(id text, status text, reason text)
     WHERE s.id = x.id AND s.status NOT IN ('paper_trading', 'live_candidate', 'retired')`,
    [JSON.stringify(rows)],
  );
}

/**
 * Sets `passed` on results. Rows that already say so are left alone: the batch wrote `passed`
 * with the same filters, and rewriting 500 unchanged rows (a new version in every index) was
 * a visible part of a cycle's learning phase.
 */
export async function markResultsPassed(db: Queryable, resultIds: readonly string[], passed: boolean): Promise<void> {
  if (resultIds.length === 0) return;
  await db.query(`UPDATE backtest_results SET passed = $2 WHERE id = ANY($1::uuid[]) AND passed IS DISTINCT FROM $2`, [resultIds, passed]);
}

/** One cycle's insight of a kind, or null. */
export async function cycleInsight(db: Queryable, cycleId: string, kind: string): Promise<unknown> {
  const r = await db.query(`SELECT data FROM learning_insights WHERE cycle_id = $1 AND kind = $2 ORDER BY created_at DESC LIMIT 1`, [cycleId, kind]);
  return (r.rows[0] as { data: unknown } | undefined)?.data ?? null;
}
