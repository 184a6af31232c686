import type { PaperLogger } from './paper-step.js';

export interface Loop {
  /** Resolves when the loop has ended (stopped, or its tick said there is nothing more to do). */
  readonly done: Promise<void>;
  /** Ends the loop: no new tick starts; resolves once the running tick (if any) has finished. */
  stop(): Promise<void>;
}

/**
 * Runs `tick` again and again, `delayMs` apart (measured from the end of one to the start of the
 * next, so ticks never overlap). A tick returning false ends the loop; a failing tick is logged and
 * the next one tries again.
 */
export function startLoop(o: { tick: () => Promise<boolean>; delayMs: number; log: PaperLogger }): Loop {
  let stopped = false;
  let wake: (() => void) | null = null;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  const done = (async () => {
    while (!stopped) {
      let more = true;
      try {
        more = await o.tick();
      } catch (err) {
        o.log.error({ err: (err as Error).message }, 'paper tick failed');
      }
      if (!more || stopped) break;
      await sleep(o.delayMs);
    }
  })();
  return {
    done,
    stop: async () => {
      stopped = true;
      wake?.();
      await done;
    },
  };
}

/**
 * Where a replay's virtual clock starts: at `fromMs`, or after a restart at the tick on the
 * `fromMs + k * stepMs` grid that the least advanced tracked account last saw (that tick runs
 * again; it is idempotent), so a restarted replay takes the same ticks as an uninterrupted one.
 */
export function replayStartMs(fromMs: number, stepMs: number, resumeMs: number | null): number {
  if (resumeMs === null || resumeMs <= fromMs) return fromMs;
  return fromMs + Math.floor((resumeMs - fromMs) / stepMs) * stepMs;
}
