import { parseStepMs } from '@mastertrade/core';
import { latestCandleMs, paperResumeMs, tryPaperLock } from '@mastertrade/db';
import { runService } from '@mastertrade/pipeline';
import { CandleFeed } from './candle-feed.js';
import { paperEnvSchema, rulesFromEnv } from './env.js';
import { replayStartMs, startLoop } from './loop.js';
import { runParityLedger } from './parity.js';
import { paperStep, type PaperDeps } from './paper-step.js';

/**
 * paper-trader: every strategy in `paper_trading` runs forward on candles that arrive after its
 * promotion, with the backtest engine and the costs it was promoted on; its equity, trades and
 * metrics go to PostgreSQL; after PAPER_DAYS it becomes a live candidate or is retired; the parity
 * ledger re-runs every paper day through the backtester. Live mode looks for new candles every
 * PAPER_INTERVAL_MS; replay mode (PAPER_REPLAY=1) moves a virtual clock through the stored candles.
 * See docs/adr/0002-paper-trading.md.
 */
await runService('paper-trader', paperEnvSchema, async (ctx) => {
  const { env, log, db } = ctx;
  const deps: PaperDeps = { db, log, feed: new CandleFeed(db, env.PAPER_BASE_TIMEFRAME), rules: rulesFromEnv(env) };

  /** One tick under the advisory lock (false: another trader process holds it; nothing was done). */
  const tickAt = async (nowMs: number): Promise<boolean> => {
    const release = await tryPaperLock(db);
    if (!release) {
      log.warn({}, 'another paper trader holds the lock; tick skipped');
      return false;
    }
    const t0 = performance.now();
    let outcome = 'completed';
    try {
      const step = await paperStep(deps, { nowMs });
      const parity = await runParityLedger(deps, { nowMs });
      const busy = step.opened + step.processed + step.retired.length + step.liveCandidates.length + parity.days > 0;
      log[busy ? 'info' : 'debug']({ ...step, nowMs: new Date(nowMs).toISOString(), parityDays: parity.days, parityDrift: parity.drifted }, 'paper tick');
      return true;
    } catch (err) {
      outcome = 'failed';
      throw err;
    } finally {
      await release();
      const seconds = (performance.now() - t0) / 1000;
      ctx.jobs.duration.observe({ queue: 'paper', job: 'paper.tick', outcome }, seconds);
      ctx.jobs.outcomes.inc({ queue: 'paper', job: 'paper.tick', outcome });
    }
  };

  if (!env.PAPER_REPLAY) {
    const loop = startLoop({ log, delayMs: env.PAPER_INTERVAL_MS, tick: async () => (await tickAt(Date.now()), true) });
    ctx.shutdown.add('paper loop', () => loop.stop());
    return;
  }

  const fromMs = Date.parse(env.PAPER_REPLAY_FROM as string);
  const stepMs = parseStepMs(env.PAPER_REPLAY_STEP) as number;
  let clock = replayStartMs(fromMs, stepMs, await paperResumeMs(db.pool));
  log.info({ from: new Date(fromMs).toISOString(), resumeAt: new Date(clock).toISOString(), step: env.PAPER_REPLAY_STEP }, 'replay starting');
  const loop = startLoop({
    log,
    delayMs: env.PAPER_REPLAY_TICK_MS,
    tick: async () => {
      const last = await latestCandleMs(db.pool, env.PAPER_BASE_TIMEFRAME);
      // Every stored candle is visible once the clock passes the close of the latest one.
      const endMs = Math.max(fromMs, last === null ? fromMs : last + deps.feed.baseStepMs);
      const nowMs = Math.min(clock, endMs);
      if (!(await tickAt(nowMs))) return true;
      log.info({ clock: new Date(nowMs).toISOString() }, 'replay tick');
      if (nowMs >= endMs) {
        log.info({ clock: new Date(nowMs).toISOString() }, 'replay finished');
        return false;
      }
      clock = Math.min(nowMs + stepMs, endMs);
      return true;
    },
  });
  ctx.shutdown.add('paper loop', () => loop.stop());
});
