import { STRATEGY_TYPES, strategySchema } from '@mastertrade/core';
import { STRATEGY_STATUSES } from '@mastertrade/db';
import { z } from 'zod';

/**
 * Every request schema of the API. Routes validate with them (parseInput) and the OpenAPI
 * document is generated from them (openapi.ts), so the two cannot disagree. Objects are strict:
 * an unknown field is a 400 naming it.
 */

const symbol = z.string().max(30).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a symbol such as BTCUSDT');
const timeframeSchema = z.enum(['5m', '15m', '1h', '4h']);

const strategyIdSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a strategy id (64 lowercase hex characters)');
const cycleIdSchema = z.string().min(1).max(200).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a cycle id such as 2026-11-25 or manual-<uuid>');
const backtestIdSchema = z
  .string()
  .regex(/^user-[0-9a-f]{64}-[A-Za-z0-9._-]+-\d+d$/, 'must be a backtest id as returned by POST /api/backtests')
  .meta({ description: 'user-<strategy id>-<engine version>-<days>d' });

export const strategyParams = z.strictObject({ id: strategyIdSchema });
export const cycleParams = z.strictObject({ id: cycleIdSchema });
export const backtestParams = z.strictObject({ id: backtestIdSchema });

export const generateBody = z
  .strictObject({
    count: z.number().int().min(1).max(10_000).meta({ description: 'strategies to generate and backtest' }),
    symbols: z
      .array(symbol)
      .min(1)
      .max(20)
      .refine((s) => new Set(s).size === s.length, 'symbols must be unique')
      .optional()
      .meta({ description: 'default: the scheduler’s CYCLE_SYMBOLS' }),
    timeframes: z.array(timeframeSchema).min(1).max(4).optional().meta({ description: 'restrict generated strategies to these timeframes' }),
    seed: z.string().min(1).max(100).optional().meta({ description: 'seed of the cycle’s random choices (default: the cycle id)' }),
  })
  .meta({ id: 'GenerateRequest' });

export const listStrategiesQuery = z.strictObject({
  status: z.enum(STRATEGY_STATUSES).optional(),
  type: z.enum(STRATEGY_TYPES).optional(),
  timeframe: timeframeSchema.optional(),
  cycle: cycleIdSchema.optional().meta({ description: 'only members of this cycle' }),
  sort: z.enum(['sharpe', 'created']).default('sharpe').meta({ description: 'sharpe: best first (no Sharpe last); created: newest first' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(400).optional().meta({ description: 'nextCursor of the previous page' }),
});

export const strategyDetailQuery = z.strictObject({
  trades: z.coerce.number().int().min(0).max(5000).default(500).meta({ description: 'trades to return (the first ones of the shown result)' }),
});

export const setStatusBody = z
  .strictObject({
    status: z.enum(['retired', 'paper_trading', 'live_candidate']).meta({ description: 'retire, or promote by hand' }),
    reason: z.string().min(1).max(500).optional(),
  })
  .meta({ id: 'SetStatusRequest' });

export const backtestBody = z
  .strictObject({
    strategy: strategySchema.meta({ description: 'a strategy document (STRATEGY_FORMAT.md)' }),
    days: z.number().int().min(1).max(3650).default(90).meta({ description: 'days of candles, ending at the latest stored bar' }),
  })
  .meta({ id: 'BacktestRequest' });

export const listCyclesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  state: z.enum(['pending', 'fetching', 'generating', 'backtesting', 'learning', 'completed', 'partial', 'failed']).optional(),
});

export const learningStatsQuery = z.strictObject({
  history: z.coerce.number().int().min(1).max(100).default(20).meta({ description: 'cycles of insight history' }),
});

export const emptyQuery = z.strictObject({});

// ------------------------------------------------------------------------------------------ responses

export const errorResponse = z
  .object({
    error: z.string().meta({ description: 'machine-readable code: invalid_request, not_found, unauthorized, payload_too_large, ...' }),
    message: z.string(),
    field: z.string().optional().meta({ description: 'the first bad field, e.g. count or strategy.long.entry[0].a.period' }),
    in: z.enum(['body', 'query', 'params']).optional(),
    problems: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Error' });

export const generateAccepted = z
  .object({ cycleId: z.string(), jobId: z.string(), status: z.literal('queued'), statusUrl: z.string() })
  .meta({ id: 'GenerateAccepted' });

export const backtestAccepted = z
  .object({ id: z.string(), strategyId: z.string(), status: z.string(), statusUrl: z.string(), strategyUrl: z.string() })
  .meta({ id: 'BacktestAccepted' });
