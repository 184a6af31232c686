import type { CandleSeries } from '../candles/series.js';
import type { Condition, Operand, StrategyDocument } from '../genome/schema.js';
import type { IndicatorCache } from './indicator-cache.js';

// Column against column.
const LT = 0;
const GT = 1;
const CROSS_ABOVE = 2;
const CROSS_BELOW = 3;
// Column against a constant (held as a number, not as a filled column).
const LT_K = 4;
const GT_K = 5;
const CROSS_ABOVE_K = 6;
const CROSS_BELOW_K = 7;

/** Conditions resolved to columns of one series: evaluating one is two array reads, or one and a constant. */
export interface CompiledConditions {
  a: Float64Array[];
  /** The b column (an empty placeholder where b is the constant `k`). */
  b: Float64Array[];
  /** The constant b of the `*_K` ops (0 elsewhere). */
  k: Float64Array;
  op: Uint8Array;
}

/** Index 0 is the long side, 1 the short side; null where the side is null. */
export interface CompiledRules {
  entry: [CompiledConditions | null, CompiledConditions | null];
  exit: [CompiledConditions | null, CompiledConditions | null];
}

const OP_CODES = { '<': LT, '>': GT, crossAbove: CROSS_ABOVE, crossBelow: CROSS_BELOW } as const;
/** `K op b` as `b op' K`: a < b iff b > a, and a crosses above b iff b crosses below a (NaN included). */
const MIRROR = [GT, LT, CROSS_BELOW, CROSS_ABOVE] as const;
const NO_COLUMN = new Float64Array(0);

function compileList(list: readonly Condition[], series: CandleSeries, cache: IndicatorCache): CompiledConditions {
  const m = list.length;
  const out: CompiledConditions = { a: [], b: [], k: new Float64Array(m), op: new Uint8Array(m) };
  for (let i = 0; i < m; i++) {
    const c = list[i] as Condition;
    let a: Operand = c.a;
    let b: Operand = c.b;
    let op: number = OP_CODES[c.op];
    if (typeof a === 'number' && typeof b !== 'number') {
      [a, b] = [b, a];
      op = MIRROR[op as 0 | 1 | 2 | 3];
    }
    out.a.push(cache.column(series, a));
    if (typeof b === 'number') {
      out.b.push(NO_COLUMN);
      out.k[i] = b;
      op += LT_K;
    } else out.b.push(cache.column(series, b));
    out.op[i] = op;
  }
  return out;
}

export function compileRules(doc: StrategyDocument, series: CandleSeries, cache: IndicatorCache): CompiledRules {
  const side = (s: StrategyDocument['long']) => (s === null ? null : compileList(s.entry, series, cache));
  const exit = (s: StrategyDocument['long']) => (s === null ? null : compileList(s.exit, series, cache));
  return { entry: [side(doc.long), side(doc.short)], exit: [exit(doc.long), exit(doc.short)] };
}

/** One condition at bar t; any undefined operand (NaN, or t-1 missing for a cross) makes it false. */
export function conditionHolds(c: CompiledConditions, i: number, t: number): boolean {
  const a = c.a[i] as Float64Array;
  const at = a[t] as number;
  switch (c.op[i]) {
    case LT_K:
      return at < (c.k[i] as number);
    case GT_K:
      return at > (c.k[i] as number);
    case CROSS_ABOVE_K: {
      const k = c.k[i] as number;
      return t > 0 && (a[t - 1] as number) <= k && at > k;
    }
    case CROSS_BELOW_K: {
      const k = c.k[i] as number;
      return t > 0 && (a[t - 1] as number) >= k && at < k;
    }
  }
  const b = c.b[i] as Float64Array;
  const bt = b[t] as number;
  switch (c.op[i]) {
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
  for (let i = 0; i < c.op.length; i++) if (!conditionHolds(c, i, t)) return false;
  return true;
}

/** ANY condition holds (exit); an empty or missing list never holds. */
export function anyRuleHolds(c: CompiledConditions | null, t: number): boolean {
  if (c === null) return false;
  for (let i = 0; i < c.op.length; i++) if (conditionHolds(c, i, t)) return true;
  return false;
}

/**
 * The whole list at once, as a 0/1 mask over bars [0, out.length): out[t] = 1 where rulesHold
 * (`all`, entry) or anyRuleHolds (exit) would be true at t; a null list is all 0. One tight
 * loop per condition, specialised by op, instead of a dispatch per condition per bar; the
 * comparisons are exactly conditionHolds'. `tmp` is scratch of at least the same length.
 * Both arrays have a byteLength that is a multiple of 4 (masks combine four bars at a time).
 */
export function conditionsMask(c: CompiledConditions | null, all: boolean, out: Uint8Array, tmp: Uint8Array): Uint8Array {
  const n = out.length;
  if (c === null) return out.fill(0);
  const m = c.op.length;
  if (m === 0) return out.fill(all ? 1 : 0);
  conditionInto(c, 0, out);
  if (m === 1) return out;
  const words = (n + 3) >> 2;
  const o32 = new Uint32Array(out.buffer, out.byteOffset, words);
  const t32 = new Uint32Array(tmp.buffer, tmp.byteOffset, words);
  for (let i = 1; i < m; i++) {
    conditionInto(c, i, tmp);
    if (all) for (let w = 0; w < words; w++) o32[w] = (o32[w] as number) & (t32[w] as number);
    else for (let w = 0; w < words; w++) o32[w] = (o32[w] as number) | (t32[w] as number);
  }
  return out;
}

/** out[t] = conditionHolds(c, i, t) ? 1 : 0 for t in [0, out.length), without branches on the data. */
function conditionInto(c: CompiledConditions, i: number, out: Uint8Array): void {
  const n = out.length;
  const a = c.a[i] as Float64Array;
  const b = c.b[i] as Float64Array;
  const k = c.k[i] as number;
  if (n === 0) return;
  switch (c.op[i]) {
    case LT_K:
      for (let t = 0; t < n; t++) out[t] = +((a[t] as number) < k);
      return;
    case GT_K:
      for (let t = 0; t < n; t++) out[t] = +((a[t] as number) > k);
      return;
    case CROSS_ABOVE_K: {
      out[0] = 0;
      let prev = a[0] as number;
      for (let t = 1; t < n; t++) {
        const at = a[t] as number;
        out[t] = +(prev <= k) & +(at > k);
        prev = at;
      }
      return;
    }
    case CROSS_BELOW_K: {
      out[0] = 0;
      let prev = a[0] as number;
      for (let t = 1; t < n; t++) {
        const at = a[t] as number;
        out[t] = +(prev >= k) & +(at < k);
        prev = at;
      }
      return;
    }
    case LT:
      for (let t = 0; t < n; t++) out[t] = +((a[t] as number) < (b[t] as number));
      return;
    case GT:
      for (let t = 0; t < n; t++) out[t] = +((a[t] as number) > (b[t] as number));
      return;
    case CROSS_ABOVE: {
      out[0] = 0;
      let pa = a[0] as number;
      let pb = b[0] as number;
      for (let t = 1; t < n; t++) {
        const at = a[t] as number;
        const bt = b[t] as number;
        out[t] = +(pa <= pb) & +(at > bt);
        pa = at;
        pb = bt;
      }
      return;
    }
    default: {
      out[0] = 0;
      let pa = a[0] as number;
      let pb = b[0] as number;
      for (let t = 1; t < n; t++) {
        const at = a[t] as number;
        const bt = b[t] as number;
        out[t] = +(pa >= pb) & +(at < bt);
        pa = at;
        pb = bt;
      }
    }
  }
}
