import { SMA } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { expectAgreement, f64, warmUp } from '../../fixtures/oracle.js';
import { realSeries5m } from '../../fixtures/real-data.js';
import { sma, windowSum } from './sma.js';

describe('sma', () => {
  it('is the mean of the last n values, first at index n-1', () => {
    // SMA(3) of [1,2,3,4]: (1+2+3)/3 = 2, (2+3+4)/3 = 3
    expect(Array.from(sma(f64([1, 2, 3, 4]), 3))).toEqual([NaN, NaN, 2, 3]);
    // SMA(2) of [1,2,4,8]: (1+2)/2, (2+4)/2, (4+8)/2
    expect(Array.from(sma(f64([1, 2, 4, 8]), 2))).toEqual([NaN, 1.5, 3, 6]);
  });

  it('has a warm-up of n-1 NaNs for any period', () => {
    const values = f64(Array.from({ length: 50 }, (_, i) => 100 + Math.sin(i)));
    for (const n of [2, 5, 20, 50]) expect(warmUp(sma(values, n)), `SMA(${n})`).toBe(n - 1);
  });

  it('is all NaN when the period exceeds the length, one value when it equals it', () => {
    expect(Array.from(sma(f64([1, 2, 3]), 4)), 'period 4 > length 3').toEqual([NaN, NaN, NaN]);
    expect(Array.from(sma(f64([1, 2, 3]), 3)), 'period 3 = length 3').toEqual([NaN, NaN, 2]);
    expect(sma(f64([]), 2).length, 'empty input').toBe(0);
  });

  it('is NaN while a NaN is in the window, and defined again after it leaves', () => {
    // windows: [1,NaN] [NaN,3] [3,4] [4,5]
    expect(Array.from(sma(f64([1, NaN, 3, 4, 5]), 2))).toEqual([NaN, NaN, NaN, 3.5, 4.5]);
  });

  it('sums every window afresh: a flat stretch gives the same value whatever came before it', () => {
    const flatTail = Array.from({ length: 300 }, () => 0.1);
    const values = f64([1000.7, 3.3, 12345.6, 77.01, ...flatTail]);
    const fresh = windowSum(f64([0.1, 0.1, 0.1]), 0, 3) / 3;
    const out = sma(values, 3);
    for (let i = 6; i < values.length; i++) {
      expect(out[i], `index ${i}: no running-sum drift after the volatile prefix`).toBe(fresh);
    }
  });

  it('agrees with technicalindicators SMA on the real BTC 5m closes (its output starts at index n-1)', () => {
    const close = realSeries5m('BTCUSDT').close;
    const values = Array.from(close);
    for (const n of [2, 14, 50, 200]) {
      expectAgreement(`SMA(${n})`, sma(close, n), SMA.calculate({ period: n, values }), n - 1);
    }
  });
});
