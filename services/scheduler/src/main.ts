import cron from 'node-cron';
import { dailyCycleId, enqueueCycle, runService, serviceEnvSchema } from '@mastertrade/pipeline';
import { jobIds } from '@mastertrade/queue';
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
  /**
   * Daily predictor training, UTC. 02:15: the job first asks the data-fetcher for fresh candles
   * (its own data fetch), then trains; with early stopping a full model usually ends before the
   * 03:00 cycle starts competing for the CPU.
   */
  PREDICTOR_TRAIN_CRON: z.string().default('15 2 * * *').refine((v) => cron.validate(v), 'must be a valid cron expression'),
  /** Hourly prediction, 2 minutes after the hour (the bar has closed); the job refreshes candles first. */
  PREDICTOR_PREDICT_CRON: z.string().default('2 * * * *').refine((v) => cron.validate(v), 'must be a valid cron expression'),
  PREDICTOR_SYMBOLS: z
    .string()
    .default('BTCUSDT')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean)),
  PREDICTOR_SIZE: z.enum(['full', 'small']).default('full'),
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
  // Predictor jobs: ids per symbol and UTC day/hour, so a restart or a second scheduler adds nothing.
  const enqueuePredictor = (what: 'train' | 'predict') => () => {
    const iso = new Date().toISOString();
    for (const symbol of env.PREDICTOR_SYMBOLS) {
      const added =
        what === 'train'
          ? ctx.queues.add('predictor.train', { symbol, size: env.PREDICTOR_SIZE }, { jobId: jobIds.predictorTrain(symbol, iso.slice(0, 10)) })
          : ctx.queues.add('predictor.predict', { symbol }, { jobId: jobIds.predictorPredict(symbol, iso.slice(0, 13)) });
      added.then((j) => log.info({ jobId: j.id, symbol }, `predictor.${what} enqueued`)).catch((err: Error) => log.error({ symbol, err: err.message }, `could not enqueue predictor.${what}`));
    }
  };
  const trainTask = cron.schedule(env.PREDICTOR_TRAIN_CRON, enqueuePredictor('train'), { timezone: 'UTC' });
  const predictTask = cron.schedule(env.PREDICTOR_PREDICT_CRON, enqueuePredictor('predict'), { timezone: 'UTC' });
  log.info({ train: env.PREDICTOR_TRAIN_CRON, predict: env.PREDICTOR_PREDICT_CRON, symbols: env.PREDICTOR_SYMBOLS, size: env.PREDICTOR_SIZE }, 'predictor jobs scheduled');
  ctx.shutdown.add('predictor cron', () => Promise.all([trainTask.stop(), predictTask.stop()]));
});
