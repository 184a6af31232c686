/** Moments of a return series, as the deflated Sharpe ratio needs them. */
export interface ReturnMoments {
  /** Number of returns. */
  n: number;
  mean: number;
  /** Sample standard deviation (n-1). */
  std: number;
  /** Skewness (population, third standardised moment). */
  skew: number;
  /** Kurtosis (population, fourth standardised moment; 3 for a normal distribution, NOT excess). */
  kurtosis: number;
  /** Per-bar (non-annualised) Sharpe ratio mean/std; 0 when std is 0. */
  sharpe: number;
}

export function returnMoments(r: ArrayLike<number>): ReturnMoments {
  const n = r.length;
  if (n === 0) return { n: 0, mean: 0, std: 0, skew: 0, kurtosis: 3, sharpe: 0 };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += r[i] as number;
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = (r[i] as number) - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  const std = n > 1 ? Math.sqrt((m2 * n) / (n - 1)) : 0;
  const skew = m2 > 0 ? m3 / m2 ** 1.5 : 0;
  const kurtosis = m2 > 0 ? m4 / (m2 * m2) : 3;
  return { n, mean, std, skew, kurtosis, sharpe: std > 0 ? mean / std : 0 };
}
