import { sma } from '../sma/sma.js';

/** Volume filter: volume[t] / SMA(period)(volume)[t]. */
export function volumeRatio(volume: Float64Array, period: number): Float64Array {
  const avg = sma(volume, period);
  for (let i = 0; i < avg.length; i++) avg[i] = (volume[i] as number) / (avg[i] as number);
  return avg;
}
