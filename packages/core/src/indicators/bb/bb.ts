import { sma } from '../sma/sma.js';

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
  const middle = sma(values, period);
  const sd = windowStdDev(values, period, middle);
  return { upper: bollingerBand(middle, sd, k, 1), middle, lower: bollingerBand(middle, sd, k, -1) };
}

/**
 * Population standard deviation of each window of `period` values about its mean (`mean` is
 * the SMA column of the same values and period): sqrt(sum((v - mean)^2, left to right) / period).
 * NaN before index period-1. Like the SMA, four windows are summed side by side, each in its
 * own order, so the result is bit for bit that of one window at a time.
 */
export function windowStdDev(values: Float64Array, period: number, mean: Float64Array, out: Float64Array = new Float64Array(values.length)): Float64Array {
  const n = values.length;
  out.fill(NaN, 0, Math.min(n, Math.max(0, period - 1)));
  if (!(Number.isInteger(period) && period >= 1)) out.fill(NaN);
  let i = period - 1;
  if (Number.isInteger(period) && period >= 1) {
    for (; i + 3 < n; i += 4) {
      const from = i - period + 1;
      const m0 = mean[i] as number;
      const m1 = mean[i + 1] as number;
      const m2 = mean[i + 2] as number;
      const m3 = mean[i + 3] as number;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let a = values[from] as number;
      let b = values[from + 1] as number;
      let c = values[from + 2] as number;
      for (let j = from + 3, end = i + 4; j < end; j++) {
        const d = values[j] as number;
        const d0 = a - m0;
        const d1 = b - m1;
        const d2 = c - m2;
        const d3 = d - m3;
        s0 += d0 * d0;
        s1 += d1 * d1;
        s2 += d2 * d2;
        s3 += d3 * d3;
        a = b;
        b = c;
        c = d;
      }
      out[i] = Math.sqrt(s0 / period);
      out[i + 1] = Math.sqrt(s1 / period);
      out[i + 2] = Math.sqrt(s2 / period);
      out[i + 3] = Math.sqrt(s3 / period);
    }
  }
  for (; i < n; i++) {
    const from = i - period + 1;
    const m = mean[i] as number;
    let ss = 0;
    for (let j = from; j <= i; j++) {
      const d = (values[j] as number) - m;
      ss += d * d;
    }
    out[i] = Math.sqrt(ss / period);
  }
  return out;
}

/** One band from the middle and sd columns: mean + k*sd (side 1, upper) or mean - k*sd (side -1, lower). */
export function bollingerBand(mean: Float64Array, sd: Float64Array, k: number, side: 1 | -1, out: Float64Array = new Float64Array(mean.length)): Float64Array {
  const n = mean.length;
  if (side === 1) for (let i = 0; i < n; i++) out[i] = (mean[i] as number) + k * (sd[i] as number);
  else for (let i = 0; i < n; i++) out[i] = (mean[i] as number) - k * (sd[i] as number);
  return out;
}
