import type pg from 'pg';

type Queryable = pg.Pool | pg.PoolClient;

export type Origin = 'ga' | 'pattern' | 'random' | 'user';
export type MemberState = 'queued' | 'done' | 'failed' | 'cancelled';

/** Adds strategies to a cycle in numbered batches (idempotent). */
export async function addCycleMembers(db: Queryable, cycleId: string, rows: readonly { strategyId: string; origin: Origin; batch: number }[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO cycle_strategies (cycle_id, strategy_id, origin, batch)
     SELECT $1, x.strategy_id, x.origin::strategy_origin, x.batch
     FROM jsonb_to_recordset($2::jsonb) AS x(strategy_id text, origin text, batch int)
     ON CONFLICT (cycle_id, strategy_id) DO NOTHING`,
    [cycleId, JSON.stringify(rows.map((r) => ({ strategy_id: r.strategyId, origin: r.origin, batch: r.batch })))],
  );
}

/** The cycle's members by batch, optionally only those in `states`. */
export async function cycleBatches(db: Queryable, cycleId: string, states?: readonly MemberState[]): Promise<Map<number, string[]>> {
  const r = states
    ? await db.query(`SELECT batch, strategy_id FROM cycle_strategies WHERE cycle_id = $1 AND state = ANY($2::cycle_strategy_state[]) ORDER BY batch, strategy_id`, [cycleId, states])
    : await db.query(`SELECT batch, strategy_id FROM cycle_strategies WHERE cycle_id = $1 ORDER BY batch, strategy_id`, [cycleId]);
  const out = new Map<number, string[]>();
  for (const row of r.rows as { batch: number; strategy_id: string }[]) {
    const list = out.get(row.batch) ?? [];
    list.push(row.strategy_id);
    out.set(row.batch, list);
  }
  return out;
}

export async function markMembers(db: Queryable, cycleId: string, strategyIds: readonly string[], state: MemberState, error: string | null = null): Promise<void> {
  if (strategyIds.length === 0) return;
  await db.query(
    `UPDATE cycle_strategies SET state = $3::cycle_strategy_state, error = $4, updated_at = now()
     WHERE cycle_id = $1 AND strategy_id = ANY($2::text[]) AND state <> $3::cycle_strategy_state`,
    [cycleId, strategyIds, state, error],
  );
}

/** Counts of the cycle's members by state, plus how many of the done ones passed. */
export async function memberCounts(db: Queryable, cycleId: string): Promise<Record<MemberState, number> & { total: number; passed: number }> {
  const r = await db.query(
    `SELECT cs.state, count(*)::int AS n, count(*) FILTER (WHERE br.passed)::int AS passed
     FROM cycle_strategies cs
     JOIN cycles c ON c.id = cs.cycle_id
     LEFT JOIN backtest_results br ON br.strategy_id = cs.strategy_id AND br.dataset_id = c.dataset_id AND br.engine_version = c.config->>'engineVersion'
     WHERE cs.cycle_id = $1 GROUP BY cs.state`,
    [cycleId],
  );
  const out = { queued: 0, done: 0, failed: 0, cancelled: 0, total: 0, passed: 0 };
  for (const row of r.rows as { state: MemberState; n: number; passed: number }[]) {
    out[row.state] = row.n;
    out.total += row.n;
    out.passed += row.passed;
  }
  return out;
}

/** Documents of strategies by id (in no particular order). */
export async function loadDocuments(db: Queryable, ids: readonly string[]): Promise<Map<string, unknown>> {
  const r = await db.query(`SELECT id, document FROM strategies WHERE id = ANY($1::text[])`, [ids]);
  return new Map((r.rows as { id: string; document: unknown }[]).map((x) => [x.id, x.document]));
}

/** Strategy ids that already have a result on this dataset and engine version. */
export async function testedStrategyIds(db: Queryable, datasetId: string, engineVersion: string): Promise<Set<string>> {
  const r = await db.query(`SELECT strategy_id FROM backtest_results WHERE dataset_id = $1 AND engine_version = $2`, [datasetId, engineVersion]);
  return new Set((r.rows as { strategy_id: string }[]).map((x) => x.strategy_id));
}
