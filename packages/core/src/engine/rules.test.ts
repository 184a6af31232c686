import { describe, expect, it } from 'vitest';
import type { Condition } from '../genome/schema.js';
import { parseStrategy } from '../genome/validate.js';
import { flat, series } from '../fixtures/series.js';
import { IndicatorCache } from './indicator-cache.js';
import { anyRuleHolds, compileRules, rulesHold } from './rules.js';

/** The bars at which ALL `entry` conditions hold, and at which ANY `exit` condition holds, over the closes. */
function evaluate(closes: number[], entry: Condition[], exit: Condition[] = []): { entry: boolean[]; exit: boolean[] } {
  const doc = parseStrategy({
    version: 1,
    name: 'rules',
    type: 'hybrid',
    timeframe: '5m',
    symbols: ['BTCUSDT'],
    long: { entry, exit },
    short: null,
    risk: { size: 1, leverage: 1 },
  });
  const s = series('BTCUSDT', closes.map((c) => flat(c)));
  const rules = compileRules(doc, s, new IndicatorCache());
  const entryRules = rules.entry[0];
  if (entryRules === null) throw new Error('long side expected');
  return {
    entry: closes.map((_, t) => rulesHold(entryRules, t)),
    exit: closes.map((_, t) => anyRuleHolds(rules.exit[0], t)),
  };
}

const close = { ind: 'close' } as const;

describe('conditions', () => {
  it('compares strictly with < and >', () => {
    expect(evaluate([1, 2, 3], [{ a: close, op: '>', b: 2 }]).entry).toEqual([false, false, true]);
    expect(evaluate([1, 2, 3], [{ a: close, op: '<', b: 2 }]).entry).toEqual([true, false, false]);
    expect(evaluate([1, 2, 3], [{ a: 2, op: '<', b: close }]).entry, 'a number on the left').toEqual([false, false, true]);
  });

  it('crossAbove: a[t-1] <= b[t-1] and a[t] > b[t] (touching at t-1 counts, touching at t does not)', () => {
    // closes vs 2:   1     2     2     3     1     3
    // t-1 <= 2:      -     yes   yes   yes   no    yes
    // t > 2:         no    no    no    yes   no    yes
    expect(evaluate([1, 2, 2, 3, 1, 3], [{ a: close, op: 'crossAbove', b: 2 }]).entry).toEqual([false, false, false, true, false, true]);
  });

  it('crossBelow: a[t-1] >= b[t-1] and a[t] < b[t]', () => {
    expect(evaluate([3, 2, 2, 1, 3, 1], [{ a: close, op: 'crossBelow', b: 2 }]).entry).toEqual([false, false, false, true, false, true]);
  });

  it('is false at bar 0 for a cross (no t-1), even if a is above b there', () => {
    expect(evaluate([5, 5], [{ a: close, op: 'crossAbove', b: 2 }]).entry).toEqual([false, false]);
  });

  it('is false while an operand is undefined (NaN warm-up), and for a cross while t-1 is undefined', () => {
    // SMA(3) of [1, 2, 6, 9, 1]: NaN, NaN, 3, 17/3, 16/3
    expect(evaluate([1, 2, 6, 9, 1], [{ a: close, op: '>', b: { ind: 'sma', period: 3 } }]).entry, '>').toEqual([false, false, true, true, false]);
    // close crosses above SMA(2) at t = 1 (1 -> 3 over 2), but SMA(2)[0] is NaN: no cross until t-1 is defined
    expect(evaluate([1, 3, 1, 3], [{ a: close, op: 'crossAbove', b: { ind: 'sma', period: 2 } }]).entry, 'cross').toEqual([false, false, false, true]);
  });

  it('needs ALL entry conditions and ANY exit condition; an empty exit list never exits', () => {
    const r = evaluate([1, 5, 10, 5, 1], [
      { a: close, op: '>', b: 2 },
      { a: close, op: '<', b: 8 },
    ], [
      { a: close, op: '<', b: 2 },
      { a: close, op: '>', b: 8 },
    ]);
    expect(r.entry, 'between 2 and 8').toEqual([false, true, false, true, false]);
    expect(r.exit, 'below 2 or above 8').toEqual([true, false, true, false, true]);
    expect(evaluate([1, 5], [{ a: close, op: '>', b: 2 }], []).exit).toEqual([false, false]);
  });
});
