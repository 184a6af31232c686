/**
 * Simple moving average: mean of the last `period` values, first defined at index period-1.
 * Each window is summed afresh, left to right, rather than kept as a running sum: a running
 * sum drifts by a few ulps, which flips `close > sma` comparisons at exact ties (flat prices),
 * and the reference implementation sums every window from scratch. Any NaN in the window
 * makes the value NaN.
 */
export function sma(values: Float64Array, period: number, out: Float64Array = new Float64Array(values.length)): Float64Array {
  out.fill(NaN, 0, Math.min(out.length, Math.max(0, period - 1)));
  if (!(Number.isInteger(period) && period >= 1)) out.fill(NaN);
  windowMeansInto(values, period, out);
  return out;
}

/** Left-to-right sum of values[from..to). */
export function windowSum(values: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let j = from; j < to; j++) s += values[j] as number;
  return s;
}

/**
 * out[i] = windowSum(values, i-period+1, i+1) / period for every i >= period-1 (other entries
 * untouched), bit for bit. Four neighbouring windows are summed together: each is still its
 * own left-to-right sum (the same additions in the same order), but four independent chains
 * keep the FPU busy where one chain waits on every add. Each value is loaded once per step
 * and handed down the four windows.
 */
export function windowMeansInto(values: Float64Array, period: number, out: Float64Array): void {
  const n = values.length;
  let i = period - 1;
  if (Number.isInteger(period) && period >= 1) {
    for (; i + 3 < n; i += 4) {
      const from = i - period + 1;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let a = values[from] as number;
      let b = values[from + 1] as number;
      let c = values[from + 2] as number;
      for (let j = from + 3, end = i + 4; j < end; j++) {
        const d = values[j] as number;
        s0 += a;
        s1 += b;
        s2 += c;
        s3 += d;
        a = b;
        b = c;
        c = d;
      }
      out[i] = s0 / period;
      out[i + 1] = s1 / period;
      out[i + 2] = s2 / period;
      out[i + 3] = s3 / period;
    }
  }
  for (; i < n; i++) out[i] = windowSum(values, i - period + 1, i + 1) / period;
}
