import { ATR } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { expectAgreement, f64, warmUp } from '../../fixtures/oracle.js';
import { realSeries5m } from '../../fixtures/real-data.js';
import { natr } from './natr.js';

describe('natr', () => {
  it('is 100 * ATR(n)[t] / close[t]', () => {
    // the ATR(2) case of atr.test.ts: 2.5, 3.75, 7.875 at closes 12, 8, 19
    const out = natr(f64([10, 11, 13, 12, 20]), f64([8, 9, 10, 7, 18]), f64([9, 10, 12, 8, 19]), 2);
    expect(warmUp(out), 'same warm-up as ATR').toBe(2);
    expect(out[2]).toBeCloseTo((100 * 2.5) / 12, 12);
    expect(out[3]).toBeCloseTo((100 * 3.75) / 8, 12);
    expect(out[4]).toBeCloseTo((100 * 7.875) / 19, 12);
  });

  it('agrees with 100 * technicalindicators ATR / close on real candles', () => {
    const s = realSeries5m('BTCUSDT');
    for (const n of [8, 16]) {
      const theirs = ATR.calculate({ period: n, high: Array.from(s.high), low: Array.from(s.low), close: Array.from(s.close) });
      const scaled = theirs.map((a, k) => (100 * a) / (s.close[k + n] as number));
      expectAgreement(`NATR(${n})`, natr(s.high, s.low, s.close, n), scaled, n);
    }
  });
});
