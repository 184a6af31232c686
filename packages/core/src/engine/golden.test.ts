import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from './types.js';
import { backtest } from './backtest.js';
import { parseStrategyJson } from '../genome/validate.js';
import { diffResult, goldenCases, isClose, valuesAgree } from '../fixtures/golden.js';
import { isRealSymbol, realSeries } from '../fixtures/real-data.js';

const cases = goldenCases();

describe('golden results (shared/golden, compare.py rules)', () => {
  it('pairs 26 strategies with 26 expected results', () => {
    expect(cases.length, 'the shared golden set has 26 strategies').toBe(26);
  });

  for (const c of cases) {
    it(c.file, () => {
      const doc = parseStrategyJson(c.text);
      const expected = c.expected;
      expect('error' in expected, `${c.file}: the reference runs every golden strategy`).toBe(false);
      const series = doc.symbols.map((sym) => {
        if (!isRealSymbol(sym)) throw new Error(`${c.file}: no shared data for ${sym}`);
        return realSeries(sym, doc.timeframe);
      });
      const result = backtest(doc, series, { ...DEFAULT_SETTINGS });
      // The CLI prints JSON: compare what it would print.
      const actual = JSON.parse(JSON.stringify(result)) as Record<string, unknown>;
      expect(actual.settings, 'default settings are echoed').toEqual(expected.settings);
      expect(diffResult(expected, actual), `${c.file} differs from expected.jsonl`).toEqual([]);
    });
  }
});

describe('the golden comparison itself', () => {
  it('follows math.isclose: 1e-6 relative or 1e-9 absolute', () => {
    expect(isClose(1, 1 + 0.9e-6), 'within 1e-6 relative').toBe(true);
    expect(isClose(1, 1 + 1.1e-6), 'beyond 1e-6 relative').toBe(false);
    expect(isClose(0, 0.9e-9), 'within 1e-9 absolute near zero').toBe(true);
    expect(isClose(0, 1.1e-9), 'beyond 1e-9 absolute near zero').toBe(false);
    expect(valuesAgree(null, 0), 'null only equals null').toBe(false);
    expect(valuesAgree(null, null)).toBe(true);
    expect(valuesAgree('stop_loss', 'take_profit'), 'strings exactly').toBe(false);
  });

  it('reports a changed trade, count, month key and time', () => {
    const first = cases[0];
    if (first === undefined) throw new Error('no golden cases');
    const e = first.expected;
    const clone = (): Record<string, any> => JSON.parse(JSON.stringify(e)) as Record<string, any>;
    expect(diffResult(e, clone()), 'a result agrees with itself').toEqual([]);

    const pnl = clone();
    pnl.trades[0].pnl *= 1 + 2e-6;
    expect(diffResult(e, pnl).join(), 'a trade P&L off by 2e-6 relative').toContain('trade 0');

    const reason = clone();
    reason.trades[0].reason = 'take_profit';
    expect(diffResult(e, reason).join(), 'a trade reason').toContain('reason');

    const count = clone();
    count.metrics.longestWinStreak += 1;
    expect(diffResult(e, count).join(), 'a count off by one').toContain('longestWinStreak');

    const month = clone();
    month.perSymbol.BNBUSDT.monthlyReturns['2025-08'] = 0;
    expect(diffResult(e, month).join(), 'an extra month key').toContain('months');

    const from = clone();
    from.from = '2025-04-03T17:00:00.000Z';
    expect(diffResult(e, from).join(), 'a different first bar').toContain('from');

    const order = clone();
    order.trades.reverse();
    expect(diffResult(e, order).length, 'trades out of order').toBeGreaterThan(0);
  });
});
