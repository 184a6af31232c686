import cron from 'node-cron';
import { dailyCycleId, enqueueCycle, runService, serviceEnvSchema } from '@mastertrade/pipeline';
import { z } from 'zod';

const schema = serviceEnvSchema.extend({
  /** When the daily cycle starts, in UTC (node-cron syntax). */
  CYCLE_CRON: z.string().default('0 3 * * *').refine((v) => cron.validate(v), 'must be a valid cron expression'),
  CYCLE_COUNT: z.coerce.number().int().min(1).max(10_000).default(500),
  CYCLE_SYMBOLS: z
    .string()
    .default('BTCUSDT,ETHUSDT,BNBUSDT')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean)),
  CYCLE_DEADLINE_MS: z.coerce.number().int().min(1000).default(3 * 3600_000),
});

/**
 * scheduler: only enqueues. The daily cycle's job id is its UTC day, so a restart or a second
 * scheduler never runs a day twice; the cycle itself asks for fresh candles first.
 */
await runService('scheduler', schema, async (ctx) => {
  const { env, log } = ctx;
  const task = cron.schedule(
    env.CYCLE_CRON,
    () => {
      const now = Date.now();
      enqueueCycle(ctx.queues, { trigger: 'schedule', cycleId: dailyCycleId(now), count: env.CYCLE_COUNT, symbols: env.CYCLE_SYMBOLS, deadlineMs: env.CYCLE_DEADLINE_MS, now })
        .then((r) => log.info(r, 'daily cycle enqueued'))
        .catch((err: Error) => log.error({ err: err.message }, 'could not enqueue the daily cycle'));
    },
    { timezone: 'UTC' },
  );
  log.info({ cron: env.CYCLE_CRON, timezone: 'UTC' }, 'daily cycle scheduled');
  ctx.shutdown.add('cron', () => task.stop());
});
