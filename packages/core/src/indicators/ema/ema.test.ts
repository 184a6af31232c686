import { EMA } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { expectAgreement, f64, warmUp } from '../../fixtures/oracle.js';
import { realSeries5m } from '../../fixtures/real-data.js';
import { ema } from './ema.js';

describe('ema', () => {
  it('is seeded with SMA(n) at index n-1, then alpha = 2/(n+1)', () => {
    // EMA(3), alpha 0.5, of [2,4,6,8,20]: seed (2+4+6)/3 = 4; 4 + 0.5*(8-4) = 6; 6 + 0.5*(20-6) = 13
    expect(Array.from(ema(f64([2, 4, 6, 8, 20]), 3))).toEqual([NaN, NaN, 4, 6, 13]);
    // EMA(4), alpha 0.4, of [1,2,3,4,10]: seed 2.5; 2.5 + 0.4*(10-2.5) = 5.5
    const out = ema(f64([1, 2, 3, 4, 10]), 4);
    expect(out[3]).toBe(2.5);
    expect(out[4]).toBeCloseTo(5.5, 12);
  });

  it('has a warm-up of n-1 NaNs, and is all NaN when the period exceeds the length', () => {
    const values = f64(Array.from({ length: 40 }, (_, i) => 50 + i * 0.5));
    for (const n of [2, 9, 40]) expect(warmUp(ema(values, n)), `EMA(${n})`).toBe(n - 1);
    expect(Array.from(ema(f64([1, 2]), 3)), 'period 3 > length 2').toEqual([NaN, NaN]);
  });

  it('skips leading NaNs: seeded with the SMA of the first n defined values (the MACD signal relies on it)', () => {
    // first defined values 2,4,6 -> seed 4 at index 4; 4 + 0.5*(8-4) = 6
    expect(Array.from(ema(f64([NaN, NaN, 2, 4, 6, 8]), 3))).toEqual([NaN, NaN, NaN, NaN, 4, 6]);
  });

  it('follows a flat series exactly', () => {
    const out = ema(f64([7, 7, 7, 7, 7, 7]), 3);
    expect(Array.from(out.subarray(2))).toEqual([7, 7, 7, 7]);
  });

  it('agrees with technicalindicators EMA on the real BTC 5m closes: same SMA seed at index n-1', () => {
    const close = realSeries5m('BTCUSDT').close;
    const values = Array.from(close);
    for (const n of [2, 12, 26, 200]) {
      expectAgreement(`EMA(${n})`, ema(close, n), EMA.calculate({ period: n, values }), n - 1);
    }
  });

  it('differs from technicalindicators EMA only on a zero seed: it smooths the seed bar once more (`if (prevEma)` is false for 0)', () => {
    // values [-1,0,1,2], EMA(3): the seed SMA is 0.
    // ours: 0 at index 2, then 0 + 0.5*(2-0) = 1.
    // technicalindicators: 0 counts as "no seed yet", so index 2 becomes 0 + 0.5*(1-0) = 0.5, then 0.5 + 0.5*(2-0.5) = 1.25.
    expect(Array.from(ema(f64([-1, 0, 1, 2]), 3))).toEqual([NaN, NaN, 0, 1]);
    expect(EMA.calculate({ period: 3, values: [-1, 0, 1, 2] }), 'technicalindicators with a zero seed').toEqual([0.5, 1.25]);
  });
});
