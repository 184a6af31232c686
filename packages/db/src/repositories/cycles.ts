import type pg from 'pg';
import type { CycleState, CycleTrigger } from '../generated/prisma/client.js';

/** Cycle rows and their state machine, in plain SQL over the shared pool (no business rules). */

export const FINAL_STATES: readonly CycleState[] = ['completed', 'partial', 'failed'];

export interface CycleRow {
  id: string;
  day: string;
  trigger: CycleTrigger;
  seed: string;
  requestedCount: number;
  generatedCount: number;
  backtestedCount: number;
  passedCount: number;
  failedCount: number;
  promotedCount: number;
  state: CycleState;
  timings: Record<string, number>;
  deadline: Date | null;
  datasetId: string | null;
  dataSource: string | null;
  dataNote: string | null;
  error: string | null;
  config: Record<string, unknown>;
  startedAt: Date | null;
  finishedAt: Date | null;
  createdAt: Date;
}

const COLUMNS = `id, to_char(day, 'YYYY-MM-DD') AS day, trigger, seed, requested_count AS "requestedCount",
  generated_count AS "generatedCount", backtested_count AS "backtestedCount", passed_count AS "passedCount",
  failed_count AS "failedCount", promoted_count AS "promotedCount", state, timings, deadline,
  dataset_id AS "datasetId", data_source AS "dataSource", data_note AS "dataNote", error, config,
  started_at AS "startedAt", finished_at AS "finishedAt", created_at AS "createdAt"`;

type Queryable = pg.Pool | pg.PoolClient;

export interface NewCycle {
  id: string;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  trigger: CycleTrigger;
  seed: string;
  requestedCount: number;
  deadline: Date;
  config: Record<string, unknown>;
}

/** Creates the cycle if it does not exist (a second trigger for the same id changes nothing) and returns it. */
export async function ensureCycle(db: Queryable, c: NewCycle): Promise<{ cycle: CycleRow; created: boolean }> {
  const ins = await db.query(
    `INSERT INTO cycles (id, day, trigger, seed, requested_count, deadline, config, state, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', now()) ON CONFLICT (id) DO NOTHING RETURNING id`,
    [c.id, c.day, c.trigger, c.seed, c.requestedCount, c.deadline, JSON.stringify(c.config)],
  );
  const cycle = await getCycle(db, c.id);
  if (!cycle) throw new Error(`cycle ${c.id} vanished after insert`);
  return { cycle, created: ins.rowCount === 1 };
}

export async function getCycle(db: Queryable, id: string): Promise<CycleRow | null> {
  const r = await db.query(`SELECT ${COLUMNS} FROM cycles WHERE id = $1`, [id]);
  return (r.rows[0] as CycleRow | undefined) ?? null;
}

export async function listCycles(db: Queryable, limit = 20, states?: readonly CycleState[]): Promise<CycleRow[]> {
  const r = states
    ? await db.query(`SELECT ${COLUMNS} FROM cycles WHERE state = ANY($2::cycle_state[]) ORDER BY created_at DESC LIMIT $1`, [limit, states])
    : await db.query(`SELECT ${COLUMNS} FROM cycles ORDER BY created_at DESC LIMIT $1`, [limit]);
  return r.rows as CycleRow[];
}

export interface CyclePatch {
  state?: CycleState;
  /** Merged into the stored timings. */
  timings?: Record<string, number>;
  datasetId?: string;
  dataSource?: string;
  dataNote?: string | null;
  error?: string | null;
  generatedCount?: number;
  backtestedCount?: number;
  passedCount?: number;
  failedCount?: number;
  promotedCount?: number;
  startedAt?: Date;
  finishedAt?: Date;
}

const PATCH_COLUMNS: Record<keyof Omit<CyclePatch, 'timings'>, string> = {
  state: 'state',
  datasetId: 'dataset_id',
  dataSource: 'data_source',
  dataNote: 'data_note',
  error: 'error',
  generatedCount: 'generated_count',
  backtestedCount: 'backtested_count',
  passedCount: 'passed_count',
  failedCount: 'failed_count',
  promotedCount: 'promoted_count',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
};

/**
 * Updates a cycle, optionally only when it is in one of `fromStates` (a guarded transition:
 * of two processes racing, exactly one wins). Returns whether a row changed.
 */
export async function updateCycle(db: Queryable, id: string, patch: CyclePatch, fromStates?: readonly CycleState[]): Promise<boolean> {
  const sets: string[] = ['updated_at = now()'];
  const params: unknown[] = [id];
  for (const [k, col] of Object.entries(PATCH_COLUMNS) as [keyof typeof PATCH_COLUMNS, string][]) {
    if (patch[k] === undefined) continue;
    params.push(patch[k]);
    sets.push(`${col} = $${params.length}${k === 'state' ? '::cycle_state' : ''}`);
  }
  if (patch.timings) {
    params.push(JSON.stringify(patch.timings));
    sets.push(`timings = timings || $${params.length}::jsonb`);
  }
  let where = 'id = $1';
  if (fromStates) {
    params.push(fromStates);
    where += ` AND state = ANY($${params.length}::cycle_state[])`;
  }
  const r = await db.query(`UPDATE cycles SET ${sets.join(', ')} WHERE ${where}`, params);
  return r.rowCount === 1;
}

/** Cycles still in flight (for the reconciler and status). */
export async function activeCycles(db: Queryable): Promise<CycleRow[]> {
  const r = await db.query(`SELECT ${COLUMNS} FROM cycles WHERE state NOT IN ('completed', 'partial', 'failed') ORDER BY created_at`);
  return r.rows as CycleRow[];
}
