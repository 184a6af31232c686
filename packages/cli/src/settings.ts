import { DEFAULT_SETTINGS, type BacktestSettings } from '@mastertrade/core';
import { z } from 'zod';
import { UsageError } from './errors.js';

/** Plain decimal notation only: `Number('')` is 0 and `Number('0x10')` is 16. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

const numberFlag = (rule: z.ZodNumber) =>
  z
    .string()
    .regex(NUMBER, 'must be a number')
    .transform(Number)
    .pipe(rule);

const finite = () => z.number({ error: 'must be a finite number' });

const settingsSchema = z.object({
  capital: numberFlag(finite().positive('must be > 0')).optional(),
  fee: numberFlag(finite().min(0, 'must be >= 0').lt(1, 'must be < 1')).optional(),
  slippage: numberFlag(finite().min(0, 'must be >= 0').lt(1, 'must be < 1')).optional(),
});

type SettingsFlags = { capital?: string; fee?: string; slippage?: string };

/** Backtest settings from flag strings, with the documented defaults; a bad value names its flag. */
export function parseSettings(flags: SettingsFlags): BacktestSettings {
  const r = settingsSchema.safeParse(flags);
  if (!r.success) {
    const messages = r.error.issues.map((issue) => {
      const name = String(issue.path[0]) as keyof SettingsFlags;
      return `--${name} ${issue.message} (got ${JSON.stringify(flags[name])})`;
    });
    throw new UsageError(messages.join('; '));
  }
  return {
    capital: r.data.capital ?? DEFAULT_SETTINGS.capital,
    fee: r.data.fee ?? DEFAULT_SETTINGS.fee,
    slippage: r.data.slippage ?? DEFAULT_SETTINGS.slippage,
  };
}
