import type { CandleSeries } from '../candles/series.js';
import type { Condition, StrategyDocument } from '../genome/schema.js';
import type { IndicatorCache } from './indicator-cache.js';

const LT = 0;
const GT = 1;
const CROSS_ABOVE = 2;
const CROSS_BELOW = 3;

/** Conditions resolved to columns of one series: evaluating one is two array reads. */
export interface CompiledConditions {
  a: Float64Array[];
  b: Float64Array[];
  op: Uint8Array;
}

/** Index 0 is the long side, 1 the short side; null where the side is null. */
export interface CompiledRules {
  entry: [CompiledConditions | null, CompiledConditions | null];
  exit: [CompiledConditions | null, CompiledConditions | null];
}

const OP_CODES = { '<': LT, '>': GT, crossAbove: CROSS_ABOVE, crossBelow: CROSS_BELOW } as const;

function compileList(list: readonly Condition[], series: CandleSeries, cache: IndicatorCache): CompiledConditions {
  return {
    a: list.map((c) => cache.column(series, c.a)),
    b: list.map((c) => cache.column(series, c.b)),
    op: Uint8Array.from(list, (c) => OP_CODES[c.op]),
  };
}

export function compileRules(doc: StrategyDocument, series: CandleSeries, cache: IndicatorCache): CompiledRules {
  const side = (s: StrategyDocument['long']) => (s === null ? null : compileList(s.entry, series, cache));
  const exit = (s: StrategyDocument['long']) => (s === null ? null : compileList(s.exit, series, cache));
  return { entry: [side(doc.long), side(doc.short)], exit: [exit(doc.long), exit(doc.short)] };
}

/** One condition at bar t; any undefined operand (NaN, or t-1 missing for a cross) makes it false. */
export function conditionHolds(c: CompiledConditions, k: number, t: number): boolean {
  const a = c.a[k] as Float64Array;
  const b = c.b[k] as Float64Array;
  const at = a[t] as number;
  const bt = b[t] as number;
  switch (c.op[k]) {
    case LT:
      return at < bt;
    case GT:
      return at > bt;
    case CROSS_ABOVE:
      return t > 0 && (a[t - 1] as number) <= (b[t - 1] as number) && at > bt;
    default:
      return t > 0 && (a[t - 1] as number) >= (b[t - 1] as number) && at < bt;
  }
}

/** ALL conditions hold (entry). */
export function rulesHold(c: CompiledConditions, t: number): boolean {
  for (let k = 0; k < c.op.length; k++) if (!conditionHolds(c, k, t)) return false;
  return true;
}

/** ANY condition holds (exit); an empty or missing list never holds. */
export function anyRuleHolds(c: CompiledConditions | null, t: number): boolean {
  if (c === null) return false;
  for (let k = 0; k < c.op.length; k++) if (conditionHolds(c, k, t)) return true;
  return false;
}
