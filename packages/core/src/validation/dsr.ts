import { normalCdf, normalQuantile } from './normal.js';

/** Euler–Mascheroni constant. */
const EULER_GAMMA = 0.5772156649015329;

/**
 * Expected maximum Sharpe ratio among `trials` independent trials whose Sharpe ratios have
 * variance `variance`, under the null of zero true Sharpe (Bailey & López de Prado, 2014, eq. 4):
 * SR0 = sqrt(V) * ((1-γ) Φ⁻¹(1 - 1/N) + γ Φ⁻¹(1 - 1/(N e))).
 */
export function expectedMaxSharpe(trials: number, variance: number): number {
  if (trials < 2 || !(variance > 0)) return 0;
  return Math.sqrt(variance) * ((1 - EULER_GAMMA) * normalQuantile(1 - 1 / trials) + EULER_GAMMA * normalQuantile(1 - 1 / (trials * Math.E)));
}

/**
 * Probabilistic Sharpe ratio: P(true SR > benchmark) given an observed per-period Sharpe `sr`
 * over `n` returns with skewness `skew` and (non-excess) kurtosis `kurtosis`:
 * Φ( (SR - SR*) sqrt(n-1) / sqrt(1 - skew·SR + (kurtosis-1)/4 · SR²) ).
 */
export function probabilisticSharpe(sr: number, benchmark: number, n: number, skew: number, kurtosis: number): number {
  if (n < 2) return 0;
  const denom = 1 - skew * sr + ((kurtosis - 1) / 4) * sr * sr;
  if (!(denom > 0)) return sr > benchmark ? 1 : 0;
  return normalCdf(((sr - benchmark) * Math.sqrt(n - 1)) / Math.sqrt(denom));
}

export interface DeflatedSharpeInput {
  /** The strategy's per-period (not annualised) Sharpe ratio. */
  sharpe: number;
  /** Number of returns it was measured on. */
  n: number;
  skew: number;
  /** Non-excess kurtosis (3 = normal). */
  kurtosis: number;
  /** Independent trials in the selection (every strategy tested, not only survivors). */
  trials: number;
  /** Variance of the trials' per-period Sharpe ratios. */
  trialsSharpeVariance: number;
}

/**
 * Deflated Sharpe ratio (Bailey & López de Prado, 2014): the probability that the strategy's
 * true Sharpe exceeds the best one expected from `trials` unskilled trials. Promotion asks for
 * >= 0.95 by default.
 */
export function deflatedSharpe(x: DeflatedSharpeInput): { dsr: number; expectedMaxSharpe: number } {
  const sr0 = expectedMaxSharpe(x.trials, x.trialsSharpeVariance);
  return { dsr: probabilisticSharpe(x.sharpe, sr0, x.n, x.skew, x.kurtosis), expectedMaxSharpe: sr0 };
}
