/**
 * Monthly returns per UTC calendar month of the bar open times: equity at the month's last bar
 * close over equity at the previous month's last bar close (the first month: over `capital`), - 1.
 * A month that starts from zero equity returns 0 (as per-bar returns do).
 */
export function monthlyReturns(tsMs: Float64Array, equity: Float64Array, capital: number): Record<string, number> {
  const out: Record<string, number> = {};
  const n = equity.length;
  let prev = capital;
  let i = 0;
  while (i < n) {
    const d = new Date(tsMs[i] as number);
    const y = d.getUTCFullYear();
    const m = d.getUTCMonth();
    const nextMonthMs = Date.UTC(y, m + 1, 1);
    let last = i;
    while (last + 1 < n && (tsMs[last + 1] as number) < nextMonthMs) last++;
    const e = equity[last] as number;
    out[`${y}-${String(m + 1).padStart(2, '0')}`] = prev === 0 ? 0 : e / prev - 1;
    prev = e;
    i = last + 1;
  }
  return out;
}
