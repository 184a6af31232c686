import { windowSum } from '../sma/sma.js';

export interface BollingerColumns {
  upper: Float64Array;
  middle: Float64Array;
  lower: Float64Array;
}

/**
 * Bollinger bands: middle = SMA(period); sd = population standard deviation of the last
 * `period` values, both from the window directly (see sma.ts: no running sums), so flat
 * windows give exactly 0 and ties compare as the reference does.
 */
export function bollinger(values: Float64Array, period: number, k: number): BollingerColumns {
  const n = values.length;
  const upper = new Float64Array(n).fill(NaN);
  const middle = new Float64Array(n).fill(NaN);
  const lower = new Float64Array(n).fill(NaN);
  for (let i = period - 1; i < n; i++) {
    const from = i - period + 1;
    const mean = windowSum(values, from, i + 1) / period;
    let ss = 0;
    for (let j = from; j <= i; j++) {
      const d = (values[j] as number) - mean;
      ss += d * d;
    }
    const sd = Math.sqrt(ss / period);
    middle[i] = mean;
    upper[i] = mean + k * sd;
    lower[i] = mean - k * sd;
  }
  return { upper, middle, lower };
}
