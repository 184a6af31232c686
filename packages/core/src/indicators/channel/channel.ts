/**
 * Donchian-style channel edges over the previous `period` bars, bar t excluded:
 * highest = max(high[t-period .. t-1]), lowest = min(low[t-period .. t-1]); defined from t = period.
 * A monotonic deque keeps this O(n) for any period.
 */
export function highest(high: Float64Array, period: number): Float64Array {
  return windowExtreme(high, period, true);
}

export function lowest(low: Float64Array, period: number): Float64Array {
  return windowExtreme(low, period, false);
}

/** The deque's storage, reused across calls (the functions are synchronous and never re-entered). */
let scratch = new Int32Array(0);

function windowExtreme(values: Float64Array, period: number, max: boolean): Float64Array {
  const n = values.length;
  const out = new Float64Array(n).fill(NaN);
  if (scratch.length < n) scratch = new Int32Array(n);
  const deque = scratch;
  let head = 0;
  let tail = 0;
  // out[t] covers values[t-period .. t-1]: push index t-1, then read the front.
  for (let t = 1; t < n; t++) {
    const i = t - 1;
    const v = values[i] as number;
    while (tail > head) {
      const last = values[deque[tail - 1] as number] as number;
      if (max ? last <= v : last >= v) tail--;
      else break;
    }
    deque[tail++] = i;
    while ((deque[head] as number) < t - period) head++;
    if (t >= period) out[t] = values[deque[head] as number] as number;
  }
  return out;
}
