/**
 * Simple moving average: mean of the last `period` values, first defined at index period-1.
 * Each window is summed afresh, left to right, rather than kept as a running sum: a running
 * sum drifts by a few ulps, which flips `close > sma` comparisons at exact ties (flat prices),
 * and the reference implementation sums every window from scratch. Any NaN in the window
 * makes the value NaN.
 */
export function sma(values: Float64Array, period: number): Float64Array {
  const n = values.length;
  const out = new Float64Array(n).fill(NaN);
  for (let i = period - 1; i < n; i++) out[i] = windowSum(values, i - period + 1, i + 1) / period;
  return out;
}

/** Left-to-right sum of values[from..to). */
export function windowSum(values: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let j = from; j < to; j++) s += values[j] as number;
  return s;
}
