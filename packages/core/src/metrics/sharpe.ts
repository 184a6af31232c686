/**
 * Annualised Sharpe ratio of per-bar returns: mean/std * sqrt(barsPerYear), sample std (n-1),
 * risk-free 0. Higher is better. Null when undefined (fewer than two returns, or no variance).
 */
export function sharpeRatio(returns: Float64Array, barsPerYear: number): number | null {
  const n = returns.length;
  if (n < 2) return null;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += returns[i] as number;
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = (returns[i] as number) - mean;
    ss += d * d;
  }
  const sd = Math.sqrt(ss / (n - 1));
  if (sd === 0 || !Number.isFinite(sd)) return null;
  return (mean / sd) * Math.sqrt(barsPerYear);
}

/**
 * Annualised Sortino ratio: mean / sqrt(mean(min(r,0)^2)) * sqrt(barsPerYear). Higher is better.
 * Null when there are no returns or no downside.
 */
export function sortinoRatio(returns: Float64Array, barsPerYear: number): number | null {
  const n = returns.length;
  if (n < 1) return null;
  let sum = 0;
  let down = 0;
  for (let i = 0; i < n; i++) {
    const r = returns[i] as number;
    sum += r;
    if (r < 0) down += r * r;
  }
  if (down === 0) return null;
  return (sum / n / Math.sqrt(down / n)) * Math.sqrt(barsPerYear);
}
