import { envBoolean } from '@mastertrade/config';
import { isTimeframe, parseStepMs } from '@mastertrade/core';
import { serviceEnvSchema } from '@mastertrade/pipeline';
import { z } from 'zod';

const int = (min: number) => z.coerce.number().int().min(min);
const num = z.coerce.number();
const step = z
  .string()
  .trim()
  .refine((v) => parseStepMs(v) !== null, 'must be a step such as 5m, 6h or 1d');

/** The paper trader's env (docs/adr/0002-paper-trading.md explains each rule). */
export const paperEnvSchema = serviceEnvSchema
  .extend({
    /** Live mode: how often the trader looks for new candles. */
    PAPER_INTERVAL_MS: int(200).default(60_000),
    /** Days of paper bars before a strategy is judged. */
    PAPER_DAYS: num.positive().default(14),
    /** A strategy still without enough trades (or waiting for a live slot) this long is retired. */
    PAPER_MAX_DAYS: num.positive().default(28),
    /** Closed paper trades needed before a verdict. */
    PAPER_MIN_TRADES: int(0).default(5),
    /** Most strategies in `live_candidate` at once. */
    LIVE_MAX: int(0).default(10),
    /** Most strategies in `paper_trading` at once (the weakest leave first). */
    PAPER_MAX: int(0).default(100),
    /** Bars of the strategy's timeframe before the first paper bar that indicators warm up on (periods go up to 500; MACD needs slow + signal). */
    PAPER_WARMUP_BARS: int(0).default(1000),
    /** Paper Sharpe may fall this far (annualised Sharpe units) below the out-of-sample Sharpe. */
    PAPER_SHARPE_TOLERANCE: num.default(1),
    /** Paper return may fall this far (a fraction) below what the out-of-sample pace would have made over the same days. */
    PAPER_RETURN_TOLERANCE: num.default(0.05),
    /** Step of the stored candles strategies resample from. */
    PAPER_BASE_TIMEFRAME: z.string().refine(isTimeframe, 'one of 5m, 15m, 1h, 4h').default('5m'),
    /** Parity ledger: mismatched trades (missed + extra + price differences) tolerated per day before a strategy is demoted. */
    PARITY_MAX_MISMATCHES: int(0).default(0),
    /** Parity ledger: largest tolerated absolute difference in quote currency (trade P&L, equity at a bar close). */
    PARITY_MAX_ABS_DIFF: num.min(0).default(0.01),
    /** Replay mode: stored candles are fed in time order by a virtual clock instead of waiting for new ones. */
    PAPER_REPLAY: envBoolean.default(false),
    /** Replay: where the virtual clock starts (ISO time); strategies found in paper_trading are promoted then. */
    PAPER_REPLAY_FROM: z.iso.datetime({ offset: true }).optional(),
    /** Replay: how far the clock moves per tick. */
    PAPER_REPLAY_STEP: step.default('1d'),
    /** Replay: real time between ticks. */
    PAPER_REPLAY_TICK_MS: int(0).default(0),
  })
  .superRefine((e, ctx) => {
    if (e.PAPER_REPLAY && e.PAPER_REPLAY_FROM === undefined) ctx.addIssue({ code: 'custom', path: ['PAPER_REPLAY_FROM'], message: 'is required when PAPER_REPLAY is on' });
    if (e.PAPER_MAX_DAYS < e.PAPER_DAYS) ctx.addIssue({ code: 'custom', path: ['PAPER_MAX_DAYS'], message: 'must be at least PAPER_DAYS' });
  });

export type PaperEnv = z.output<typeof paperEnvSchema>;

/** The rules paperStep and the parity ledger apply. */
export interface PaperRules {
  baseTimeframe: string;
  warmupBars: number;
  paperDays: number;
  maxPaperDays: number;
  minTrades: number;
  liveMax: number;
  paperMax: number;
  sharpeTolerance: number;
  returnTolerance: number;
  parityMaxMismatches: number;
  parityMaxAbsDiff: number;
}

export const DEFAULT_RULES: Readonly<PaperRules> = Object.freeze({
  baseTimeframe: '5m',
  warmupBars: 1000,
  paperDays: 14,
  maxPaperDays: 28,
  minTrades: 5,
  liveMax: 10,
  paperMax: 100,
  sharpeTolerance: 1,
  returnTolerance: 0.05,
  parityMaxMismatches: 0,
  parityMaxAbsDiff: 0.01,
});

export function rulesFromEnv(e: PaperEnv): PaperRules {
  return {
    baseTimeframe: e.PAPER_BASE_TIMEFRAME,
    warmupBars: e.PAPER_WARMUP_BARS,
    paperDays: e.PAPER_DAYS,
    maxPaperDays: e.PAPER_MAX_DAYS,
    minTrades: e.PAPER_MIN_TRADES,
    liveMax: e.LIVE_MAX,
    paperMax: e.PAPER_MAX,
    sharpeTolerance: e.PAPER_SHARPE_TOLERANCE,
    returnTolerance: e.PAPER_RETURN_TOLERANCE,
    parityMaxMismatches: e.PARITY_MAX_MISMATCHES,
    parityMaxAbsDiff: e.PARITY_MAX_ABS_DIFF,
  };
}
