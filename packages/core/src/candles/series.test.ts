import { describe, expect, it } from 'vitest';
import { flat, series, FIXTURE_START_MS, type Row } from '../fixtures/series.js';
import { DataError, invalidBarReason, sliceSeries, validateSeries, type CandleSeries } from './series.js';

const M5 = 300_000;

function refusal(s: CandleSeries): DataError {
  try {
    validateSeries(s);
  } catch (err) {
    if (err instanceof DataError) return err;
    throw err;
  }
  throw new Error('expected a DataError, the series was accepted');
}

const unchecked = (rows: readonly Row[]): CandleSeries => series('ETHUSDT', rows, { validate: false });

describe('validateSeries', () => {
  it('accepts valid bars with a fixed step', () => {
    expect(() => validateSeries(unchecked([flat(10), [10, 11, 9, 10.5], [10.5, 10.5, 10.5, 10.5, 0]]))).not.toThrow();
  });

  it('refuses each kind of invalid bar, naming symbol, timeframe and ts (no line without a file)', () => {
    const bad: [string, Row][] = [
      ['low above the open', [10, 11, 10.2, 10.5]],
      ['low above the close', [10.5, 11, 10.2, 10]],
      ['high below the close', [10, 10.4, 9, 10.5]],
      ['high below the open', [10.5, 10.4, 9, 10]],
      ['zero low', [10, 11, 0, 10]],
      ['NaN close', [10, 11, 9, NaN]],
      ['infinite high', [10, Infinity, 9, 10]],
      ['negative volume', [10, 11, 9, 10, -0.5]],
    ];
    for (const [what, row] of bad) {
      const e = refusal(unchecked([flat(10), row]));
      expect({ kind: e.kind, symbol: e.symbol, timeframe: e.timeframe, ts: e.tsMs, line: e.line }, what).toEqual({
        kind: 'invalid_bar',
        symbol: 'ETHUSDT',
        timeframe: '5m',
        ts: FIXTURE_START_MS + M5,
        line: null,
      });
      expect(e.message, what).toContain(`ETHUSDT 5m at ${new Date(FIXTURE_START_MS + M5).toISOString()}`);
    }
  });

  it('refuses duplicate, out-of-order and missing timestamps', () => {
    const s = unchecked([flat(10), flat(10), flat(10), flat(10)]);
    const dup = { ...s, tsMs: Float64Array.from([0, M5, M5, 2 * M5]) };
    const back = { ...s, tsMs: Float64Array.from([0, M5, 2 * M5, M5]) };
    const gap = { ...s, tsMs: Float64Array.from([0, M5, 3 * M5, 4 * M5]) };
    expect([refusal(dup).kind, refusal(dup).tsMs]).toEqual(['duplicate_ts', M5]);
    expect([refusal(back).kind, refusal(back).tsMs]).toEqual(['out_of_order_ts', M5]);
    expect([refusal(gap).kind, refusal(gap).tsMs], 'the first bar after the gap').toEqual(['gap', 3 * M5]);
    expect(refusal(gap).message, 'how many bars are missing').toContain('1 bar(s) missing');
  });

  it('names the source line when lines are given', () => {
    const s = unchecked([flat(10), [10, 11, 10.2, 10.5]]);
    let error: unknown;
    try {
      validateSeries(s, [2, 3]);
    } catch (err) {
      error = err;
    }
    expect((error as DataError).line).toBe(3);
    expect((error as DataError).message).toContain('(line 3)');
  });

  it('refuses an empty series', () => {
    expect(refusal(unchecked([])).kind).toBe('empty');
  });
});

describe('invalidBarReason', () => {
  it('accepts a bar whose open or close touches the high or low, and zero volume', () => {
    expect(invalidBarReason({ tsMs: 0, open: 9, high: 11, low: 9, close: 11, volume: 0 })).toBeNull();
  });
});

describe('sliceSeries', () => {
  it('is a view of bars [from, to)', () => {
    const s = series('BTCUSDT', [flat(1), flat(2), flat(3), flat(4)]);
    const v = sliceSeries(s, 1, 3);
    expect(Array.from(v.close)).toEqual([2, 3]);
    expect(Array.from(v.tsMs)).toEqual([FIXTURE_START_MS + M5, FIXTURE_START_MS + 2 * M5]);
    expect(v.close.buffer, 'shares memory').toBe(s.close.buffer);
  });
});
