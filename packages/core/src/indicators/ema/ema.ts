/**
 * Exponential moving average, alpha = 2/(period+1), seeded with the SMA of the first
 * `period` defined values (TA-Lib style). Leading NaNs in the input are skipped, so the
 * same function seeds the MACD signal line from the first defined MACD values.
 */
export function ema(values: Float64Array, period: number, out: Float64Array = new Float64Array(values.length)): Float64Array {
  const n = values.length;
  let start = 0;
  while (start < n && Number.isNaN(values[start] as number)) start++;
  const seedEnd = start + period - 1;
  out.fill(NaN);
  if (seedEnd >= n) return out;
  let sum = 0;
  for (let i = start; i <= seedEnd; i++) sum += values[i] as number;
  let prev = sum / period;
  out[seedEnd] = prev;
  const alpha = 2 / (period + 1);
  for (let i = seedEnd + 1; i < n; i++) {
    prev = ((values[i] as number) - prev) * alpha + prev;
    out[i] = prev;
  }
  return out;
}
