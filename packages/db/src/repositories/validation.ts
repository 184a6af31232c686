import type pg from 'pg';

type Queryable = pg.Pool | pg.PoolClient;

export interface ResultValidation {
  splitMs: number;
  isScore: number;
  folds: unknown;
  oos: unknown;
  oosSharpe: number | null;
  oosTotalReturn: number | null;
  oosTrades: number | null;
  oosPassed: boolean;
  returnMoments: unknown;
  gridReturns: Float64Array;
}

const f64bytes = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

export function bytesToF64(b: Buffer | Uint8Array | null): Float64Array | null {
  if (!b) return null;
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Float64Array(copy.buffer);
}

/** Stores the walk-forward / out-of-sample side of a result (the in-sample metrics are the row's columns). */
export async function saveValidation(db: Queryable, resultId: string, v: ResultValidation): Promise<void> {
  await db.query(
    `UPDATE backtest_results SET split_ts = $2, is_score = $3, folds = $4, oos = $5, oos_sharpe = $6, oos_total_return = $7,
       oos_trades = $8, oos_passed = $9, return_moments = $10, grid_returns = $11 WHERE id = $1`,
    [resultId, new Date(v.splitMs), v.isScore, JSON.stringify(v.folds), JSON.stringify(v.oos), v.oosSharpe, v.oosTotalReturn, v.oosTrades, v.oosPassed, JSON.stringify(v.returnMoments), f64bytes(v.gridReturns)],
  );
}

export async function saveSelection(db: Queryable, rows: readonly { resultId: string; dsr: number | null; bias: unknown }[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `UPDATE backtest_results b SET dsr = x.dsr, bias = coalesce(x.bias, b.bias)
     FROM jsonb_to_recordset($1::jsonb) AS x(result_id uuid, dsr float8, bias jsonb) WHERE b.id = x.result_id`,
    [JSON.stringify(rows.map((r) => ({ result_id: r.resultId, dsr: r.dsr, bias: r.bias ?? null })))],
  );
}
