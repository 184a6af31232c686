import type { CycleRow } from '@mastertrade/db';
import { CronExpressionParser } from 'cron-parser';
import type { Snapshot } from './snapshot.js';

export interface ScheduleConfig {
  cron: string;
  cycleCount: number;
  symbols: readonly string[];
  deadlineMs: number;
}

/** The next time the daily cycle fires after `now` (cron read in UTC, as the scheduler runs it). */
function nextRun(cron: string, now: number): Date {
  return CronExpressionParser.parse(cron, { currentDate: new Date(now), tz: 'UTC' }).next().toDate();
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** A cycle as the API shows it in lists and status (its config only in the detail route). */
export function cycleSummary(c: CycleRow) {
  return {
    id: c.id,
    day: c.day,
    trigger: c.trigger,
    state: c.state,
    seed: c.seed,
    requested: c.requestedCount,
    generated: c.generatedCount,
    backtested: c.backtestedCount,
    passed: c.passedCount,
    failed: c.failedCount,
    promoted: c.promotedCount,
    passRate: c.backtestedCount > 0 ? c.passedCount / c.backtestedCount : null,
    timingsMs: c.timings,
    dataSource: c.dataSource,
    dataNote: c.dataNote,
    error: c.error,
    deadline: iso(c.deadline),
    startedAt: iso(c.startedAt),
    finishedAt: iso(c.finishedAt),
    createdAt: iso(c.createdAt),
  };
}

/**
 * `GET /api/strategies/pipeline/status`: the seed's fields under their names (isRunning,
 * lastGenerationTime, nextGenerationTime, strategiesPerGeneration, learningStats{...}) plus the
 * running cycle's progress and ETA, its deadline, the schedule, the last finished cycle and
 * the queues.
 */
export function pipelineStatus(s: Snapshot, cfg: ScheduleConfig, now: number) {
  const cur = s.current;
  let currentCycle = null;
  if (cur) {
    const { cycle, counts } = cur;
    const total = counts.total || cycle.requestedCount;
    const processed = counts.done + counts.failed + counts.cancelled;
    // Backtesting started after the fetch and generation phases; the rate is measured from there.
    const btStart = (cycle.startedAt?.getTime() ?? now) + (cycle.timings.fetching ?? 0) + (cycle.timings.generating ?? 0);
    const elapsedMs = Math.max(1, now - btStart);
    const etaSeconds = cycle.state === 'backtesting' && processed > 0 && processed < total ? ((elapsedMs / processed) * (total - processed)) / 1000 : null;
    currentCycle = {
      ...cycleSummary(cycle),
      progress: {
        done: processed,
        total,
        backtested: counts.done,
        failed: counts.failed,
        cancelled: counts.cancelled,
        queued: counts.queued,
        passed: counts.passed,
        percent: total > 0 ? Math.round((1000 * processed) / total) / 10 : 0,
      },
      etaSeconds: etaSeconds === null ? null : Math.round(etaSeconds),
      eta: etaSeconds === null ? null : new Date(now + etaSeconds * 1000).toISOString(),
    };
  }
  const last = s.lastStarted;
  return {
    isRunning: cur !== null,
    lastGenerationTime: last ? iso(last.startedAt ?? last.createdAt) : null,
    nextGenerationTime: nextRun(cfg.cron, now).toISOString(),
    strategiesPerGeneration: cfg.cycleCount,
    learningStats: {
      totalBacktestsAnalyzed: s.learning.analysed,
      successPatternsIdentified: s.learning.successPatterns,
      failurePatternsIdentified: s.learning.failurePatterns,
      patternsTracked: s.learning.patternsTracked,
      lastLearnedCycleId: s.learning.cycleId,
      lastLearnedAt: iso(s.learning.at),
    },
    schedule: { cron: cfg.cron, timezone: 'UTC', symbols: cfg.symbols, deadlineMs: cfg.deadlineMs },
    currentCycle,
    deadline: cur ? iso(cur.cycle.deadline) : null,
    activeCycles: s.active.map((c) => ({ id: c.id, state: c.state })),
    lastCycle: s.lastFinished ? cycleSummary(s.lastFinished) : null,
    queues: s.queues,
    workers: s.workers,
    asOf: new Date(s.takenAt).toISOString(),
  };
}
