/**
 * Donchian-style channel edges over the previous `period` bars, bar t excluded:
 * highest = max(high[t-period .. t-1]), lowest = min(low[t-period .. t-1]); defined from t = period.
 * O(n) for any period: van Herk/Gil-Werman block maxima when every value is a non-zero number
 * (always so for prices), else a monotonic deque. Both select a value of the window, never
 * compute one, so they agree bit for bit wherever equal values have equal bits (no NaN, no ±0).
 */
export function highest(high: Float64Array, period: number, out: Float64Array = new Float64Array(high.length)): Float64Array {
  return blocksApply(high, period) ? windowMaxBlocks(high, period, out) : windowExtreme(high, period, true, out);
}

export function lowest(low: Float64Array, period: number, out: Float64Array = new Float64Array(low.length)): Float64Array {
  return blocksApply(low, period) ? windowMinBlocks(low, period, out) : windowExtreme(low, period, false, out);
}

/** Scratch for the block suffix extremes and the deque, reused across calls (synchronous, never re-entered). */
let suffix = new Float64Array(0);
let dequeScratch = new Int32Array(0);

function blocksApply(values: Float64Array, period: number): boolean {
  if (!Number.isInteger(period) || period < 1) return false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!(v > 0 || v < 0)) return false;
  }
  return true;
}

/**
 * Window [t-period, t-1] spans at most two blocks of `period` bars aligned at 0: its maximum is
 * max(suffix max of the first block from t-period, prefix max of the second up to t-1).
 */
function windowMaxBlocks(values: Float64Array, period: number, out: Float64Array): Float64Array {
  const n = values.length;
  if (n <= period) return out.fill(NaN);
  out.fill(NaN, 0, period);
  if (suffix.length < n) suffix = new Float64Array(n);
  const h = suffix;
  for (let b = 0; b < n; b += period) {
    const e = Math.min(b + period, n) - 1;
    let m = values[e] as number;
    h[e] = m;
    for (let i = e - 1; i >= b; i--) {
      const v = values[i] as number;
      if (v > m) m = v;
      h[i] = m;
    }
  }
  // g: max of values[blockStart(e) .. e] for e = t-1; pos = e - blockStart(e).
  let g = values[0] as number;
  for (let e = 1; e <= period - 2; e++) {
    const v = values[e] as number;
    if (v > g) g = v;
  }
  let pos = period - 2;
  for (let t = period; t < n; t++) {
    const v = values[t - 1] as number;
    if (++pos === period) {
      pos = 0;
      g = v;
    } else if (v > g) g = v;
    const hv = h[t - period] as number;
    out[t] = hv > g ? hv : g;
  }
  return out;
}

/** windowMaxBlocks with every comparison mirrored. */
function windowMinBlocks(values: Float64Array, period: number, out: Float64Array): Float64Array {
  const n = values.length;
  if (n <= period) return out.fill(NaN);
  out.fill(NaN, 0, period);
  if (suffix.length < n) suffix = new Float64Array(n);
  const h = suffix;
  for (let b = 0; b < n; b += period) {
    const e = Math.min(b + period, n) - 1;
    let m = values[e] as number;
    h[e] = m;
    for (let i = e - 1; i >= b; i--) {
      const v = values[i] as number;
      if (v < m) m = v;
      h[i] = m;
    }
  }
  let g = values[0] as number;
  for (let e = 1; e <= period - 2; e++) {
    const v = values[e] as number;
    if (v < g) g = v;
  }
  let pos = period - 2;
  for (let t = period; t < n; t++) {
    const v = values[t - 1] as number;
    if (++pos === period) {
      pos = 0;
      g = v;
    } else if (v < g) g = v;
    const hv = h[t - period] as number;
    out[t] = hv < g ? hv : g;
  }
  return out;
}

/** The general case (NaN or zero values): a monotonic deque of window indices. */
function windowExtreme(values: Float64Array, period: number, max: boolean, out: Float64Array): Float64Array {
  const n = values.length;
  out.fill(NaN);
  if (dequeScratch.length < n) dequeScratch = new Int32Array(n);
  // A period below 1 reads past the deque's tail, which must then read 0 as a new array would.
  const deque = period >= 1 ? dequeScratch : new Int32Array(n);
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
