import { serviceEnvSchema } from '@mastertrade/pipeline';
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';

/**
 * The API's environment (API_KEY and API_PORT come from the shared base). Without `API_KEY` the API is read-only: every mutating route and Bull
 * Board answer 401 (it never falls open). `API_READ_KEY`, when set, closes the read routes too
 * (either key opens them). The cycle variables are the scheduler's: the status route reports
 * them, so both services must get the same values.
 */
export const apiEnvSchema = serviceEnvSchema.extend({
  API_READ_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Largest JSON body accepted (bytes); larger ones get 413. */
  API_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(256 * 1024),
  /** How long the status snapshot (status route, metrics) and cached list responses may be reused (ms); 0 = never. */
  API_SNAPSHOT_TTL_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  CYCLE_CRON: z
    .string()
    .default('0 3 * * *')
    .refine((v) => {
      try {
        CronExpressionParser.parse(v, { tz: 'UTC' });
        return true;
      } catch {
        return false;
      }
    }, 'must be a valid cron expression'),
  CYCLE_COUNT: z.coerce.number().int().min(1).max(10_000).default(500),
  CYCLE_SYMBOLS: z
    .string()
    .default('BTCUSDT,ETHUSDT,BNBUSDT')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean)),
  CYCLE_DEADLINE_MS: z.coerce.number().int().min(1000).default(3 * 3600_000),
});
