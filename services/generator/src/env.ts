import { defaultCycleConfig, type CycleConfig } from '@mastertrade/pipeline';
import { z } from 'zod';

const num = z.coerce.number();

/** Cycle settings from env (the generator stores them on each new cycle, so a cycle replays as it ran). */
export const cycleEnvSchema = z.object({
  CYCLE_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  CYCLE_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  FITNESS: z.enum(['robust_sharpe', 'sharpe', 'sharpe_x_return']).default('robust_sharpe'),
  FILTER_MIN_SHARPE: num.default(0.5),
  FILTER_MIN_WIN_RATE: num.min(0).max(1).default(0.35),
  FILTER_MIN_RETURN: num.default(-0.5),
  FILTER_MAX_RETURN: num.default(5),
  FILTER_MIN_TRADES: z.coerce.number().int().min(0).default(10),
  PROMOTE_MAX: z.coerce.number().int().min(0).default(20),
  PROMOTE_MIN_TRADES: z.coerce.number().int().min(0).default(20),
});

export function cycleConfigFromEnv(env: z.output<typeof cycleEnvSchema>): CycleConfig {
  return defaultCycleConfig({
    batchSize: env.CYCLE_BATCH_SIZE,
    days: env.CYCLE_DAYS,
    fitness: env.FITNESS,
    filters: { minSharpe: env.FILTER_MIN_SHARPE, minWinRate: env.FILTER_MIN_WIN_RATE, minReturn: env.FILTER_MIN_RETURN, maxReturn: env.FILTER_MAX_RETURN, minTrades: env.FILTER_MIN_TRADES },
    promotion: { maxPromoted: env.PROMOTE_MAX, minTrades: env.PROMOTE_MIN_TRADES },
  });
}
