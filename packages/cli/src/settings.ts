import { DEFAULT_SETTINGS, type BacktestSettings } from '@mastertrade/core';
import { z } from 'zod';
import { UsageError } from './errors.js';

const numberFlag = (name: string) =>
  z
    .string()
    .regex(/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/, `--${name} must be a number`)
    .transform(Number);

const settingsSchema = z.object({
  capital: numberFlag('capital').pipe(z.number().positive('--capital must be > 0').finite()).optional(),
  fee: numberFlag('fee').pipe(z.number().min(0, '--fee must be >= 0').lt(1, '--fee must be < 1')).optional(),
  slippage: numberFlag('slippage')
    .pipe(z.number().min(0, '--slippage must be >= 0').lt(1, '--slippage must be < 1'))
    .optional(),
});

/** Backtest settings from flag strings, with the documented defaults. */
export function parseSettings(flags: { capital?: string; fee?: string; slippage?: string }): BacktestSettings {
  const r = settingsSchema.safeParse(flags);
  if (!r.success) throw new UsageError(r.error.issues.map((i) => i.message).join('; '));
  return {
    capital: r.data.capital ?? DEFAULT_SETTINGS.capital,
    fee: r.data.fee ?? DEFAULT_SETTINGS.fee,
    slippage: r.data.slippage ?? DEFAULT_SETTINGS.slippage,
  };
}
