/** Max drawdown as a fraction: max_t (1 - E_t / max_{s<=t} E_s). Lower is better. */
export function maxDrawdown(equity: Float64Array): number {
  let peak = -Infinity;
  let worst = 0;
  for (let t = 0; t < equity.length; t++) {
    const e = equity[t] as number;
    if (e > peak) peak = e;
    if (peak > 0) {
      const dd = 1 - e / peak;
      if (dd > worst) worst = dd;
    }
  }
  return worst;
}
