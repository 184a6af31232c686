import type { Metrics } from '../engine/types.js';

/**
 * Fitness functions: one signature, higher is better, always finite (a strategy without a
 * defined Sharpe ranks below every strategy with one). The learner and the GA use one of
 * these, chosen by name in the cycle's configuration.
 */
export type FitnessFunction = (m: Metrics) => number;

const WORST = -1e6;

/**
 * The seed's reward, Sharpe x total return, made sign-honest: the raw product turns a
 * losing strategy with negative Sharpe into a positive reward (-2 x -0.3 = +0.6), so the
 * magnitude of the return scales the Sharpe instead: sharpe * |totalReturn|.
 */
export const sharpeTimesReturn: FitnessFunction = (m) => (m.sharpe === null ? WORST : m.sharpe * Math.abs(m.totalReturn));

/** Plain annualised Sharpe. */
export const sharpeFitness: FitnessFunction = (m) => m.sharpe ?? WORST;

/**
 * The default: Sharpe shrunk towards zero when there are few trades (confidence grows as
 * sqrt(trades/30), capped at 1), minus a penalty of 2 per unit of drawdown beyond 30%.
 * Rewards edges that are both consistent and observed often enough to be believed.
 */
export const robustSharpe: FitnessFunction = (m) => {
  if (m.sharpe === null || m.trades === 0) return WORST;
  const confidence = Math.sqrt(Math.min(m.trades, 30) / 30);
  return m.sharpe * (m.sharpe > 0 ? confidence : 1) - 2 * Math.max(0, m.maxDrawdown - 0.3);
};

export const FITNESS_FUNCTIONS = {
  robust_sharpe: robustSharpe,
  sharpe: sharpeFitness,
  sharpe_x_return: sharpeTimesReturn,
} as const satisfies Record<string, FitnessFunction>;

export type FitnessName = keyof typeof FITNESS_FUNCTIONS;
