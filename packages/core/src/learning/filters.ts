import type { Metrics } from '../engine/types.js';

/** Version of the engine's semantics; part of every result's key, bumped when numbers can change. */
export const ENGINE_VERSION = 'e1';

/** The gates a backtest must pass to count as a success (issue defaults). */
export interface Filters {
  minSharpe: number;
  minWinRate: number;
  minReturn: number;
  maxReturn: number;
  minTrades: number;
}

export const DEFAULT_FILTERS: Readonly<Filters> = Object.freeze({ minSharpe: 0.5, minWinRate: 0.35, minReturn: -0.5, maxReturn: 5, minTrades: 10 });

/** Why the metrics fail the filters (empty when they pass). Bounds: Sharpe > min, win rate > min, return within [min, max], trades >= min. */
export function filterFailures(m: Metrics, f: Filters = DEFAULT_FILTERS): string[] {
  const out: string[] = [];
  if (m.sharpe === null || !(m.sharpe > f.minSharpe)) out.push(`sharpe ${m.sharpe === null ? 'undefined' : m.sharpe.toFixed(3)} <= ${f.minSharpe}`);
  if (m.winRate === null || !(m.winRate > f.minWinRate)) out.push(`win rate ${m.winRate === null ? 'undefined' : m.winRate.toFixed(3)} <= ${f.minWinRate}`);
  if (!(m.totalReturn >= f.minReturn && m.totalReturn <= f.maxReturn)) out.push(`return ${m.totalReturn.toFixed(4)} outside ${f.minReturn}..${f.maxReturn}`);
  if (m.trades < f.minTrades) out.push(`${m.trades} trades < ${f.minTrades}`);
  return out;
}

export function passesFilters(m: Metrics, f: Filters = DEFAULT_FILTERS): boolean {
  return filterFailures(m, f).length === 0;
}

/** Promotion settings: at most `maxPromoted`, each with at least `minTrades` trades, best score first. */
export interface PromotionRules {
  maxPromoted: number;
  minTrades: number;
}

export const DEFAULT_PROMOTION: Readonly<PromotionRules> = Object.freeze({ maxPromoted: 20, minTrades: 20 });
