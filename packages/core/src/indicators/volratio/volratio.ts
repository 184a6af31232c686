import { sma } from '../sma/sma.js';

/** Volume filter: volume[t] / SMA(period)(volume)[t]. */
export function volumeRatio(volume: Float64Array, period: number): Float64Array {
  const avg = sma(volume, period);
  for (let i = 0; i < avg.length; i++) avg[i] = (volume[i] as number) / (avg[i] as number);
  return avg;
}

/** The volume filter from an SMA(volume) column (left as it is), for a cache that already holds the SMA. */
export function volumeRatioFrom(volume: Float64Array, avg: Float64Array, out: Float64Array = new Float64Array(avg.length)): Float64Array {
  const n = avg.length;
  for (let i = 0; i < n; i++) out[i] = (volume[i] as number) / (avg[i] as number);
  return out;
}
