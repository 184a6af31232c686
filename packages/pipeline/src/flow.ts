import { jobIds, type QueueClient } from '@mastertrade/queue';

/**
 * One flow per cycle: the learner parent runs once every backtest child has settled. A failed
 * child must not leave the parent waiting forever (STYLE §3.7): `ignoreDependencyOnFailure`
 * moves it to the parent's ignored failures, and the learner accepts a partial cycle.
 * Job ids mirror the database (cycle + batch), so enqueueing twice adds nothing.
 */
export async function enqueueBacktests(
  queues: QueueClient,
  x: { cycleId: string; datasetId: string; engineVersion: string; batches: Map<number, string[]>; round?: number },
): Promise<void> {
  const children = [...x.batches.entries()].map(([batch, strategyIds]) =>
    queues.node(
      'backtest.run',
      { cycleId: x.cycleId, datasetId: x.datasetId, engineVersion: x.engineVersion, strategyIds },
      { jobId: jobIds.backtestBatch(x.cycleId, batch, x.round ?? 0), ignoreDependencyOnFailure: true },
    ),
  );
  const parent = queues.node('learner.evaluate', { cycleId: x.cycleId }, { jobId: jobIds.learner(x.cycleId, x.round ?? 0) }, children);
  await queues.flow.add(parent);
}
