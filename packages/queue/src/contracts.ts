import { z } from 'zod';
import type { JobName } from './names.js';

const id = z.string().min(1).max(200).regex(/^[^:]+$/, 'must not contain ":"');
const symbol = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
const timeframe = z.enum(['5m', '15m', '1h', '4h']);

/** Start (or resume) a cycle: fetch, generate, then one flow of backtests under a learner parent. */
export const cycleStartPayload = z.strictObject({
  cycleId: id,
  trigger: z.enum(['schedule', 'manual', 'api']),
  count: z.number().int().min(1).max(10_000),
  seed: z.string().min(1).max(100),
  symbols: z.array(symbol).min(1).max(20),
  timeframes: z.array(timeframe).min(1).optional(),
  /** Epoch ms after which unfinished backtests are cancelled and the cycle completes as partial. */
  deadlineMs: z.number().int().positive(),
});
export type CycleStartPayload = z.infer<typeof cycleStartPayload>;

export const cycleDeadlinePayload = z.strictObject({ cycleId: id });
export type CycleDeadlinePayload = z.infer<typeof cycleDeadlinePayload>;

export const fetchCandlesPayload = z.strictObject({
  exchange: z.string().min(1).max(50).default('binance'),
  symbols: z.array(symbol).min(1).max(50),
  timeframe: z.string().regex(/^\d+[mhd]$/).default('5m'),
  days: z.number().int().min(1).max(3650).default(90),
});
export type FetchCandlesPayload = z.infer<typeof fetchCandlesPayload>;

/** A batch of strategies of one cycle, by id (never the documents or candles: STYLE P3). */
export const backtestRunPayload = z.strictObject({
  cycleId: id,
  datasetId: id,
  engineVersion: z.string().min(1).max(50),
  strategyIds: z.array(id).min(1).max(1000),
});
export type BacktestRunPayload = z.infer<typeof backtestRunPayload>;

export const backtestRunResult = z.object({
  done: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  passed: z.number().int(),
  ms: z.number(),
  /** Of `ms`: reading (cycle, members, documents, dataset), the engine, and writing the results. */
  readMs: z.number().optional(),
  computeMs: z.number().optional(),
  writeMs: z.number().optional(),
});
export type BacktestRunResult = z.infer<typeof backtestRunResult>;

/**
 * A user-submitted document (stored by the API; id = its canonical hash), backtested outside any
 * cycle on the last `days` days of stored (or embedded) candles of its symbols.
 */
export const backtestUserPayload = z.strictObject({
  strategyId: id,
  engineVersion: z.string().min(1).max(50),
  days: z.number().int().min(1).max(3650).default(90),
});
export type BacktestUserPayload = z.infer<typeof backtestUserPayload>;

export const backtestUserResult = z.object({
  strategyId: z.string(),
  datasetId: z.string(),
  resultId: z.string(),
  passed: z.boolean(),
  trades: z.number().int(),
  ms: z.number(),
});
export type BacktestUserResult = z.infer<typeof backtestUserResult>;

export const learnerEvaluatePayload = z.strictObject({ cycleId: id });
export type LearnerEvaluatePayload = z.infer<typeof learnerEvaluatePayload>;

export const predictorTrainPayload = z.strictObject({
  symbol,
  size: z.enum(['small', 'full']).default('small'),
  epochs: z.number().int().min(1).max(200).optional(),
  /** Early stopping: epochs without a better validation loss before training stops (default 5). */
  patience: z.number().int().min(1).max(200).optional(),
});
export const predictorPredictPayload = z.strictObject({ symbol });

/** Payload schema of every job, parsed on both ends (STYLE P2). */
export const PAYLOADS = {
  'cycle.start': cycleStartPayload,
  'cycle.deadline': cycleDeadlinePayload,
  'fetch.candles': fetchCandlesPayload,
  'backtest.run': backtestRunPayload,
  'backtest.user': backtestUserPayload,
  'learner.evaluate': learnerEvaluatePayload,
  'predictor.train': predictorTrainPayload,
  'predictor.predict': predictorPredictPayload,
} as const satisfies Record<JobName, z.ZodType>;

export type PayloadOf<N extends JobName> = z.output<(typeof PAYLOADS)[N]>;
export type PayloadInput<N extends JobName> = z.input<(typeof PAYLOADS)[N]>;
