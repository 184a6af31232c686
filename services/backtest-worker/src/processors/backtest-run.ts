import { UnrecoverableError, type SandboxedJob } from 'bullmq';
import { baseEnvSchema, loadConfig } from '@mastertrade/config';
import { openDb } from '@mastertrade/db';
import { DatasetCache, runBatch, warmUpEngine, type RunBatchDeps } from '@mastertrade/pipeline';
import { backtestRunPayload, type BacktestRunResult, type BacktestUserResult } from '@mastertrade/queue';
import { backtestUser } from './backtest-user.js';

/**
 * Runs in an engine thread (engine-thread.ts). The thread lives across jobs, so its database
 * pool and candle/indicator cache are made once and reused by every batch it runs.
 */
let deps: RunBatchDeps | null = null;

function init(): RunBatchDeps {
  const env = loadConfig(baseEnvSchema);
  const db = openDb({ url: env.DATABASE_URL, maxConnections: 2, applicationName: 'backtest-worker' });
  return { db, datasets: new DatasetCache(db) };
}

export default async function backtestRun(job: SandboxedJob): Promise<BacktestRunResult | BacktestUserResult> {
  // The backtest queue also carries single user documents submitted through the API.
  if (job.name === 'backtest.user') {
    deps ??= init();
    return backtestUser(job.data, deps);
  }
  const parsed = backtestRunPayload.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`invalid backtest.run payload: ${parsed.error.message}`);
  deps ??= init();
  return runBatch(parsed.data, deps);
}

/**
 * Reads a dataset into this thread's cache ahead of its first batch (announced by the generator
 * when a cycle's dataset is fixed). A batch that arrives meanwhile waits for the same read.
 */
export async function preload(datasetId: string): Promise<void> {
  deps ??= init();
  await deps.datasets.get(datasetId);
}

/** Before the first job: connect to the database and compile the engine's code (see warmUpEngine). */
export async function warmUp(): Promise<number> {
  deps ??= init();
  await deps.db.pool.query('SELECT 1');
  return warmUpEngine();
}
