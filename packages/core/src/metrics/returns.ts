/** Per-bar returns r_t = E_t/E_{t-1} - 1 for t >= 1, 0 where E_{t-1} = 0. */
export function barReturns(equity: Float64Array): Float64Array {
  const n = equity.length;
  const r = new Float64Array(Math.max(0, n - 1));
  for (let t = 1; t < n; t++) {
    const prev = equity[t - 1] as number;
    r[t - 1] = prev === 0 ? 0 : (equity[t] as number) / prev - 1;
  }
  return r;
}
