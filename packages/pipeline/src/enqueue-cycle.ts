import { randomUUID } from 'node:crypto';
import { jobIds, type CycleStartPayload, type QueueClient } from '@mastertrade/queue';

export interface EnqueueCycleOptions {
  trigger: CycleStartPayload['trigger'];
  count: number;
  symbols: string[];
  timeframes?: CycleStartPayload['timeframes'];
  seed?: string;
  /** Cycle deadline from now, ms (default 3 h). */
  deadlineMs?: number;
  /** The scheduled daily cycle passes its UTC day; manual ones get `manual-<uuid>`. */
  cycleId?: string;
  now?: number;
}

/**
 * Enqueues a cycle. The daily cycle's id is its UTC day, so a restarted or second scheduler
 * adds nothing (the job id and the cycles row key are the same).
 */
export async function enqueueCycle(queues: QueueClient, o: EnqueueCycleOptions): Promise<{ cycleId: string; jobId: string }> {
  const now = o.now ?? Date.now();
  const cycleId = o.cycleId ?? `manual-${randomUUID()}`;
  const payload: CycleStartPayload = {
    cycleId,
    trigger: o.trigger,
    count: o.count,
    seed: o.seed ?? cycleId,
    symbols: o.symbols,
    ...(o.timeframes ? { timeframes: o.timeframes } : {}),
    deadlineMs: now + (o.deadlineMs ?? 3 * 3600_000),
  };
  const jobId = jobIds.cycleStart(cycleId);
  await queues.add('cycle.start', payload, { jobId });
  return { cycleId, jobId };
}

/** The daily cycle's id: its UTC day. */
export function dailyCycleId(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}
