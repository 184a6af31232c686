/**
 * Wilder's ATR. TR_t = max(h_t - l_t, |h_t - c_{t-1}|, |l_t - c_{t-1}|) for t >= 1; the first
 * ATR (index `period`) is mean(TR_1..TR_period), then (prev*(period-1) + TR_t)/period.
 */
export function atr(high: Float64Array, low: Float64Array, close: Float64Array, period: number, out: Float64Array = new Float64Array(close.length)): Float64Array {
  const n = close.length;
  out.fill(NaN);
  if (n <= period) return out;
  let sum = 0;
  for (let i = 1; i <= period; i++) sum += trueRange(high, low, close, i);
  let prev = sum / period;
  out[period] = prev;
  for (let i = period + 1; i < n; i++) {
    prev = (prev * (period - 1) + trueRange(high, low, close, i)) / period;
    out[i] = prev;
  }
  return out;
}

function trueRange(high: Float64Array, low: Float64Array, close: Float64Array, i: number): number {
  const h = high[i] as number;
  const l = low[i] as number;
  const pc = close[i - 1] as number;
  return Math.max(h - l, Math.abs(h - pc), Math.abs(l - pc));
}
