import { atr } from '../atr/atr.js';

/** Normalised ATR in percent: 100 * ATR(period)[t] / close[t]. */
export function natr(high: Float64Array, low: Float64Array, close: Float64Array, period: number): Float64Array {
  const a = atr(high, low, close, period);
  for (let i = 0; i < a.length; i++) a[i] = (100 * (a[i] as number)) / (close[i] as number);
  return a;
}

/** NATR from an ATR column (left as it is), for a cache that already holds the ATR. */
export function natrFromAtr(atrColumn: Float64Array, close: Float64Array, out: Float64Array = new Float64Array(atrColumn.length)): Float64Array {
  const n = atrColumn.length;
  for (let i = 0; i < n; i++) out[i] = (100 * (atrColumn[i] as number)) / (close[i] as number);
  return out;
}
