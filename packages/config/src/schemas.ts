import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const url = (protocols: string[], example: string) =>
  z
    .string()
    .trim()
    .refine((v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, `must be a URL like ${example}`);

const port = z.coerce.number().int().min(1).max(65535);

/** An env flag: 1/true/yes/on or 0/false/no/off. */
export const envBoolean = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off', 'TRUE', 'FALSE'])
  .transform((v) => ['1', 'true', 'yes', 'on', 'TRUE'].includes(v));

/** What every service shares (DEVELOPERS brief "Conventions every service shares"). */
export const baseEnvSchema = z.object({
  DATABASE_URL: url(['postgresql:', 'postgres:'], 'postgresql://postgres@127.0.0.1:5432/mastertrade').default(
    'postgresql://postgres@127.0.0.1:5432/mastertrade',
  ),
  REDIS_URL: url(['redis:', 'rediss:'], 'redis://127.0.0.1:6379').default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only (it becomes part of Redis keys)')
    .default('mt'),
  API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  API_PORT: port.default(3000),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
});

export type BaseEnv = z.output<typeof baseEnvSchema>;
