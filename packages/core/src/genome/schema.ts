import { z } from 'zod';
import { TIMEFRAMES } from '../candles/timeframe.js';

/** Strategy document version 1 (STRATEGY_FORMAT.md). Every object is strict: unknown keys are refused. */

const period = z.number().int().min(2).max(500);

export const PRICE_FIELDS = ['close', 'open', 'high', 'low', 'volume'] as const;
export const PERIOD_INDICATORS = ['sma', 'ema', 'rsi', 'atr', 'natr', 'volratio', 'highest', 'lowest'] as const;
export const MACD_OUTPUTS = ['line', 'signal', 'hist'] as const;
export const BB_OUTPUTS = ['upper', 'middle', 'lower'] as const;
export const OPS = ['<', '>', 'crossAbove', 'crossBelow'] as const;
export const STRATEGY_TYPES = ['trend_following', 'mean_reversion', 'breakout', 'momentum', 'hybrid'] as const;

const priceOperand = z.strictObject({ ind: z.enum(PRICE_FIELDS) });
const periodOperand = z.strictObject({ ind: z.enum(PERIOD_INDICATORS), period });
const macdOperand = z
  .strictObject({ ind: z.literal('macd'), fast: period, slow: period, signal: period, out: z.enum(MACD_OUTPUTS) })
  .refine((o) => o.fast < o.slow, { message: 'fast must be less than slow', path: ['fast'] });
const bbOperand = z.strictObject({
  ind: z.literal('bb'),
  period,
  k: z.number().gt(0).lte(5),
  out: z.enum(BB_OUTPUTS),
});

const indicatorOperand = z.discriminatedUnion('ind', [priceOperand, periodOperand, macdOperand, bbOperand]);

export type IndicatorOperand = z.infer<typeof indicatorOperand>;
export type Operand = number | IndicatorOperand;

/**
 * A number, or an indicator object. Dispatching on the JSON type first keeps error paths
 * precise (`long.entry[0].a.period`) instead of a generic "no union member matched".
 */
const operand = z.unknown().transform((value, ctx): Operand => {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    ctx.addIssue({ code: 'custom', message: 'must be a finite number' });
    return z.NEVER;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: 'must be a number or an indicator object such as {"ind": "rsi", "period": 14}' });
    return z.NEVER;
  }
  const parsed = indicatorOperand.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path as PropertyKey[] });
  }
  return z.NEVER;
});

const condition = z.strictObject({ a: operand, op: z.enum(OPS), b: operand });
export type Condition = z.infer<typeof condition>;

const side = z
  .strictObject({
    entry: z.array(condition).min(1, 'entry needs at least one condition'),
    exit: z.array(condition),
  })
  .nullable();
export type StrategySide = NonNullable<z.infer<typeof side>>;

const fraction = z.number().gt(0).lt(1).nullable();

const risk = z.strictObject({
  size: z.number().gt(0).lte(1),
  leverage: z.number().gte(1).lte(5),
  stopLoss: fraction.default(null),
  takeProfit: fraction.default(null),
  trailingStop: fraction.default(null),
});

export const strategySchema = z
  .strictObject({
    version: z.literal(1),
    name: z.string().min(1).max(200),
    type: z.enum(STRATEGY_TYPES),
    timeframe: z.enum(TIMEFRAMES as [string, ...string[]]).transform((t) => t as (typeof TIMEFRAMES)[number]),
    symbols: z
      .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a symbol such as BTCUSDT'))
      .min(1)
      .refine((s) => new Set(s).size === s.length, 'symbols must be unique'),
    long: side,
    short: side,
    risk,
  })
  .superRefine((doc, ctx) => {
    if (doc.long === null && doc.short === null) {
      ctx.addIssue({ code: 'custom', message: 'at least one of long and short must not be null', path: ['long'] });
    }
  });

export type StrategyDocument = z.output<typeof strategySchema>;
export type StrategyType = (typeof STRATEGY_TYPES)[number];
