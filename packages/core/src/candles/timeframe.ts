/** The timeframes a strategy may use, with their step in minutes. */
export const TIMEFRAME_MINUTES = { '5m': 5, '15m': 15, '1h': 60, '4h': 240 } as const satisfies Record<string, number>;

export type Timeframe = keyof typeof TIMEFRAME_MINUTES;

export const TIMEFRAMES = Object.keys(TIMEFRAME_MINUTES) as Timeframe[];

const MINUTE_MS = 60_000;

export function timeframeMs(tf: Timeframe): number {
  return TIMEFRAME_MINUTES[tf] * MINUTE_MS;
}

/** Bars per year for annualising (crypto trades every day): 365*24*60 / minutes. */
export function barsPerYear(tf: Timeframe): number {
  return (365 * 24 * 60) / TIMEFRAME_MINUTES[tf];
}

/** Parses a step label such as `5m`, `15m`, `1h`, `4h`, `1d` into milliseconds; null if not a step. */
export function parseStepMs(label: string): number | null {
  const m = /^(\d+)([mhd])$/.exec(label);
  if (!m) return null;
  const n = Number(m[1]);
  if (!Number.isSafeInteger(n) || n <= 0) return null;
  const unit = m[2] === 'm' ? MINUTE_MS : m[2] === 'h' ? 60 * MINUTE_MS : 24 * 60 * MINUTE_MS;
  return n * unit;
}

export function isTimeframe(label: string): label is Timeframe {
  return Object.hasOwn(TIMEFRAME_MINUTES, label);
}
