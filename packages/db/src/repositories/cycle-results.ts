import type { Metrics } from '@mastertrade/core';
import type pg from 'pg';

type Queryable = pg.Pool | pg.PoolClient;

export interface CycleResultRow {
  strategyId: string;
  document: unknown;
  origin: string;
  metrics: Metrics;
  passed: boolean | null;
  resultId: string;
  isScore: number | null;
  oosPassed: boolean | null;
  oos: Metrics | null;
  folds: unknown;
  returnMoments: ReturnMomentsRow | null;
  gridReturns: Buffer | null;
}

export interface ReturnMomentsRow {
  n: number;
  mean: number;
  std: number;
  skew: number;
  kurtosis: number;
  sharpe: number;
}

/** Results of a cycle's members on the cycle's dataset and engine version. */
export async function cycleResults(db: Queryable, cycleId: string): Promise<CycleResultRow[]> {
  const r = await db.query(
    `SELECT cs.strategy_id AS "strategyId", s.document, cs.origin, br.result->'metrics' AS metrics, br.passed, br.id AS "resultId",
            br.is_score AS "isScore", br.oos_passed AS "oosPassed", br.oos, br.folds, br.return_moments AS "returnMoments", br.grid_returns AS "gridReturns"
     FROM cycle_strategies cs
     JOIN cycles c ON c.id = cs.cycle_id
     JOIN strategies s ON s.id = cs.strategy_id
     JOIN backtest_results br ON br.strategy_id = cs.strategy_id AND br.dataset_id = c.dataset_id AND br.engine_version = c.config->>'engineVersion'
     WHERE cs.cycle_id = $1`,
    [cycleId],
  );
  return r.rows as CycleResultRow[];
}
