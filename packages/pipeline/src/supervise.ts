import { activeCycles, cycleBatches, getCycle, markMembers, type CycleRow } from '@mastertrade/db';
import { jobIds, QUEUES } from '@mastertrade/queue';
import { cycleConfigSchema } from './cycle-config.js';
import { nowOf, type PipelineDeps } from './deps.js';
import { finalizeCycle, type FinalizeResult } from './finalize.js';
import { enqueueBacktests } from './flow.js';

/**
 * The `cycle.deadline` job: what has not run by the deadline is cancelled (queued members
 * marked, unprocessed jobs removed) and the cycle is finalized as partial with what it has.
 */
export async function onDeadline(cycleId: string, deps: PipelineDeps): Promise<FinalizeResult | null> {
  const cycle = await getCycle(deps.db.pool, cycleId);
  if (!cycle || cycle.state !== 'backtesting') return null;
  const parent = await deps.queues.queue(QUEUES.learner).getJob(jobIds.learner(cycleId));
  await parent?.removeUnprocessedChildren().catch((err: Error) => deps.log.warn({ cycleId, err: err.message }, 'could not remove unprocessed backtests'));
  const queued = [...(await cycleBatches(deps.db.pool, cycleId, ['queued'])).values()].flat();
  await markMembers(deps.db.pool, cycleId, queued, 'cancelled', 'cancelled: cycle deadline reached');
  deps.log.warn({ cycleId, cancelled: queued.length }, 'cycle deadline reached');
  return finalizeCycle(cycleId, deps, { reason: 'deadline' });
}

export interface ReconcileReport {
  checked: number;
  reenqueued: string[];
  restarted: string[];
  finalized: string[];
}

/**
 * PostgreSQL is the source of truth; Redis only carries work. For every cycle in flight this
 * checks that the jobs it still needs exist and re-enqueues what is missing (after a Redis
 * restart that lost the queues): the start job of a cycle that never reached backtesting, the
 * flow of a backtesting cycle (only the strategies still lacking results), the deadline.
 * Run periodically by the generator service; safe to run from several processes at once.
 */
export async function reconcile(deps: PipelineDeps, opts: { startStaleAfterMs?: number } = {}): Promise<ReconcileReport> {
  const report: ReconcileReport = { checked: 0, reenqueued: [], restarted: [], finalized: [] };
  const now = nowOf(deps);
  for (const cycle of await activeCycles(deps.db.pool)) {
    report.checked++;
    if (cycle.state === 'backtesting') {
      if (cycle.deadline && now > cycle.deadline.getTime()) {
        if (await onDeadline(cycle.id, deps)) report.finalized.push(cycle.id);
        continue;
      }
      await reconcileBacktesting(cycle, deps, report);
    } else if (cycle.state !== 'learning') {
      const job = await deps.queues.queue(QUEUES.cycle).getJob(jobIds.cycleStart(cycle.id));
      const stale = now - cycle.createdAt.getTime() > (opts.startStaleAfterMs ?? 30_000);
      if (!job && stale) {
        const cfg = cycleConfigSchema.parse(cycle.config);
        await deps.queues.add(
          'cycle.start',
          { cycleId: cycle.id, trigger: cycle.trigger, count: cycle.requestedCount, seed: cycle.seed, symbols: cfg.symbols, ...(cfg.timeframes ? { timeframes: cfg.timeframes } : {}), deadlineMs: cycle.deadline?.getTime() ?? now + 3 * 3600_000 },
          { jobId: jobIds.cycleStart(cycle.id) },
        );
        report.restarted.push(cycle.id);
      }
    }
  }
  return report;
}

async function reconcileBacktesting(cycle: CycleRow, deps: PipelineDeps, report: ReconcileReport): Promise<void> {
  const learner = deps.queues.queue(QUEUES.learner);
  const parent = await learner.getJob(jobIds.learner(cycle.id));
  const state = parent ? await parent.getState() : 'missing';
  if (state === 'failed') {
    // The learner exhausted its attempts: try once more directly.
    if (await finalizeCycle(cycle.id, deps, { reason: 'reconciler' })) report.finalized.push(cycle.id);
    return;
  }
  if (state !== 'missing' && state !== 'unknown') {
    if (!deps.queues.queue(QUEUES.cycle)) return;
    const deadlineJob = await deps.queues.queue(QUEUES.cycle).getJob(jobIds.cycleDeadline(cycle.id));
    if (!deadlineJob && cycle.deadline) {
      await deps.queues.add('cycle.deadline', { cycleId: cycle.id }, { jobId: jobIds.cycleDeadline(cycle.id), delay: Math.max(0, cycle.deadline.getTime() - nowOf(deps)) });
    }
    return;
  }
  // The flow is gone (Redis lost it): rebuild it for what still lacks a result.
  const cfg = cycleConfigSchema.parse(cycle.config);
  const pending = await cycleBatches(deps.db.pool, cycle.id, ['queued', 'failed']);
  await enqueueBacktests(deps.queues, { cycleId: cycle.id, datasetId: cycle.datasetId as string, engineVersion: cfg.engineVersion, batches: pending });
  if (cycle.deadline) {
    await deps.queues.add('cycle.deadline', { cycleId: cycle.id }, { jobId: jobIds.cycleDeadline(cycle.id), delay: Math.max(0, cycle.deadline.getTime() - nowOf(deps)) });
  }
  deps.log.warn({ cycleId: cycle.id, batches: pending.size }, 'reconciler re-enqueued the cycle flow');
  report.reenqueued.push(cycle.id);
}
