import { DEFAULT_FILTERS, DEFAULT_GA, DEFAULT_PROMOTION, DEFAULT_SETTINGS, ENGINE_VERSION, FITNESS_FUNCTIONS } from '@mastertrade/core';
import { z } from 'zod';

/**
 * Everything that decides a cycle's outcome besides its seed and data, stored on the cycle
 * row so a cycle can be replayed exactly.
 */
export const cycleConfigSchema = z.strictObject({
  engineVersion: z.string().default(ENGINE_VERSION),
  fitness: z.enum(Object.keys(FITNESS_FUNCTIONS) as [keyof typeof FITNESS_FUNCTIONS, ...(keyof typeof FITNESS_FUNCTIONS)[]]).default('robust_sharpe'),
  filters: z
    .strictObject({
      minSharpe: z.number(),
      minWinRate: z.number().min(0).max(1),
      minReturn: z.number(),
      maxReturn: z.number(),
      minTrades: z.number().int().min(0),
    })
    .default({ ...DEFAULT_FILTERS }),
  promotion: z.strictObject({ maxPromoted: z.number().int().min(0), minTrades: z.number().int().min(0) }).default({ ...DEFAULT_PROMOTION }),
  ga: z
    .strictObject({
      populationSize: z.number().int().min(2),
      eliteFraction: z.number().min(0).max(1),
      crossoverRate: z.number().min(0).max(1),
      mutationRate: z.number().min(0).max(1),
      tournamentSize: z.number().int().min(1),
      gaShare: z.number().min(0).max(1),
      patternShare: z.number().min(0).max(1),
      youngRandomShare: z.number().min(0).max(1),
    })
    .default({ ...DEFAULT_GA }),
  settings: z.strictObject({ capital: z.number().positive(), fee: z.number().min(0).lt(1), slippage: z.number().min(0).lt(1) }).default({ ...DEFAULT_SETTINGS }),
  /** Strategies per backtest job: big enough that queue overhead is noise, small enough to spread over workers. */
  batchSize: z.number().int().min(1).max(1000).default(10),
  /** Days of candles a cycle uses. */
  days: z.number().int().min(1).max(3650).default(90),
  /** Candle step stored in the database that strategies resample from. */
  baseTimeframe: z.string().default('5m'),
  symbols: z.array(z.string()).min(1).default(['BTCUSDT', 'ETHUSDT', 'BNBUSDT']),
  /**
   * Honest selection: the dataset's first `inSampleFraction` is in-sample (K walk-forward folds
   * score it), the rest out-of-sample; promotion needs the out-of-sample filters, the deflated
   * Sharpe ratio and the bias gate.
   */
  validation: z
    .strictObject({
      inSampleFraction: z.number().gt(0).lt(1),
      folds: z.number().int().min(1).max(20),
      oos: z.strictObject({ minSharpe: z.number(), minReturn: z.number(), minTrades: z.number().int().min(0) }),
      requireOos: z.boolean(),
      minDsr: z.number().min(0).max(1),
      pboBlocks: z.number().int().min(2).max(24).refine((b) => b % 2 === 0, 'must be even'),
      biasGate: z.boolean(),
    })
    .default({ inSampleFraction: 2 / 3, folds: 3, oos: { minSharpe: 0, minReturn: -0.05, minTrades: 5 }, requireOos: true, minDsr: 0.95, pboBlocks: 16, biasGate: true }),
  timeframes: z.array(z.enum(['5m', '15m', '1h', '4h'])).min(1).optional(),
});

export type CycleConfig = z.output<typeof cycleConfigSchema>;

export function defaultCycleConfig(overrides: z.input<typeof cycleConfigSchema> = {}): CycleConfig {
  return cycleConfigSchema.parse(overrides);
}
