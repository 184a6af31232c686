import { ATR } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { expectAgreement, f64, warmUp } from '../../fixtures/oracle.js';
import { realSeries5m } from '../../fixtures/real-data.js';
import { atr } from './atr.js';

/** Bars (high, low, close) of the hand-worked cases. */
const HIGH = f64([10, 11, 13, 12, 20]);
const LOW = f64([8, 9, 10, 7, 18]);
const CLOSE = f64([9, 10, 12, 8, 19]);

describe('atr (Wilder)', () => {
  it('averages true ranges from TR_1, first at index n, then Wilder-smooths', () => {
    // TR_1 = max(11-9, |11-9|, |9-9|) = 2
    // TR_2 = max(13-10, |13-10|, |10-10|) = 3
    // TR_3 = max(12-7, |12-12|, |7-12|) = 5
    // TR_4 = max(20-18, |20-8|, |18-8|) = 12 (a gap up: the previous close counts)
    // ATR(2): index 2 = (2+3)/2 = 2.5; index 3 = (2.5*1 + 5)/2 = 3.75; index 4 = (3.75 + 12)/2 = 7.875
    expect(Array.from(atr(HIGH, LOW, CLOSE, 2))).toEqual([NaN, NaN, 2.5, 3.75, 7.875]);
    // ATR(3): index 3 = (2+3+5)/3; index 4 = (10/3*2 + 12)/3
    const a3 = atr(HIGH, LOW, CLOSE, 3);
    expect(a3[3]).toBeCloseTo(10 / 3, 12);
    expect(a3[4]).toBeCloseTo(((10 / 3) * 2 + 12) / 3, 12);
  });

  it('has a warm-up of n NaNs (TR_0 does not exist), all NaN when n >= length', () => {
    expect(warmUp(atr(HIGH, LOW, CLOSE, 4)), 'ATR(4) of 5 bars').toBe(4);
    expect(Array.from(atr(HIGH, LOW, CLOSE, 5)), 'ATR(5) needs 6 bars').toEqual([NaN, NaN, NaN, NaN, NaN]);
  });

  it('agrees with technicalindicators ATR on real candles (its first value is at index n too)', () => {
    const s = realSeries5m('BTCUSDT');
    const input = { high: Array.from(s.high), low: Array.from(s.low), close: Array.from(s.close) };
    for (const n of [2, 14, 34, 200]) {
      expectAgreement(`ATR(${n})`, atr(s.high, s.low, s.close, n), ATR.calculate({ period: n, ...input }), n);
    }
  });
});
