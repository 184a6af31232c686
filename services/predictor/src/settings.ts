import { BACKEND_CHOICES } from '@mastertrade/predictor-model';
import { z } from 'zod';

/** The predictor's own settings, shared by the service and the CLI's `predictor` command. */
export const predictorSettingsSchema = z.object({
  /** Where model files go (one folder per model: model.json, weights.bin, meta.json). Git-ignored by default. */
  MODEL_DIR: z.string().min(1).default('./var/models'),
  /** tfjs backend: auto = tfjs-node if it loads, else wasm (fastest here), else cpu. */
  PREDICTOR_BACKEND: z.enum(BACKEND_CHOICES).default('auto'),
  /** Days of hourly candles a training run uses (the newest ones); ~24 windows per day. */
  PREDICTOR_TRAIN_DAYS: z.coerce.number().int().min(10).max(3650).default(120),
  /** Cap on training+validation windows (the newest); 0 = no cap. For tests and quick runs. */
  PREDICTOR_MAX_WINDOWS: z.coerce.number().int().min(0).default(0),
});

export type PredictorSettings = z.output<typeof predictorSettingsSchema>;

/** The predictor works on hourly bars: the target is the next hour's close change. */
export const PREDICTOR_TIMEFRAME = '1h';
