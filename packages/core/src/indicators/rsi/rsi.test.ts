import { RSI } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { f64, warmUp } from '../../fixtures/oracle.js';
import { realSeries5m } from '../../fixtures/real-data.js';
import { rsi } from './rsi.js';

describe('rsi (Wilder)', () => {
  it('seeds with simple means over d_1..d_n, then Wilder-smooths', () => {
    // closes [10,11,10,12,13,12]; d = +1,-1,+2,+1,-1
    // index 3: avgGain (1+0+2)/3 = 1, avgLoss (0+1+0)/3 = 1/3, RS 3 -> 100 - 100/4 = 75
    // index 4: avgGain (1*2+1)/3 = 1, avgLoss (1/3*2+0)/3 = 2/9, RS 4.5 -> 100 - 100/5.5
    // index 5: avgGain (1*2+0)/3 = 2/3, avgLoss (2/9*2+1)/3 = 13/27, RS 18/13 -> 100*18/31
    const out = rsi(f64([10, 11, 10, 12, 13, 12]), 3);
    expect(Array.from(out.subarray(0, 3)), 'warm-up').toEqual([NaN, NaN, NaN]);
    expect(out[3]).toBeCloseTo(75, 12);
    expect(out[4]).toBeCloseTo(100 - 100 / 5.5, 12);
    expect(out[5]).toBeCloseTo((100 * 18) / 31, 12);
  });

  it('is first defined at index n (n changes needed), all NaN when n >= length', () => {
    const values = f64(Array.from({ length: 60 }, (_, i) => 100 + Math.sin(i / 3) * 5));
    for (const n of [2, 14, 59]) expect(warmUp(rsi(values, n)), `RSI(${n})`).toBe(n);
    expect(Array.from(rsi(f64([1, 2, 3]), 3)), 'n = 3 needs 4 closes').toEqual([NaN, NaN, NaN]);
  });

  it('is 50 on a flat series (avgGain = avgLoss = 0)', () => {
    const out = rsi(f64([5, 5, 5, 5, 5, 5]), 3);
    expect(Array.from(out.subarray(3))).toEqual([50, 50, 50]);
  });

  it('is 100 when avgLoss = 0 < avgGain, and 0 when only losses', () => {
    expect(Array.from(rsi(f64([1, 2, 3, 3, 3]), 2).subarray(2)), 'rises then flat: avgGain decays but stays > 0').toEqual([100, 100, 100]);
    expect(Array.from(rsi(f64([9, 8, 7, 6]), 2).subarray(2)), 'only losses').toEqual([0, 0]);
  });

  it('stays within [0, 100] on real closes', () => {
    const out = rsi(realSeries5m('BTCUSDT').close, 14);
    for (let i = 14; i < out.length; i++) {
      const v = out[i] as number;
      if (!(v >= 0 && v <= 100)) expect.fail(`RSI(14) at ${i} is ${v}`);
    }
  });

  it('equals technicalindicators RSI after its rounding: it returns parseFloat(rsi.toFixed(2)), same averages, same index n', () => {
    const close = realSeries5m('BTCUSDT').close;
    const values = Array.from(close);
    for (const n of [2, 14, 50, 200]) {
      const ours = rsi(close, n);
      const theirs = RSI.calculate({ period: n, values });
      expect(theirs.length, `RSI(${n}): one value from index ${n}`).toBe(ours.length - n);
      let mismatches = 0;
      let first = -1;
      for (let i = n; i < ours.length; i++) {
        if (theirs[i - n] !== Number.parseFloat((ours[i] as number).toFixed(2))) {
          mismatches++;
          if (first === -1) first = i;
        }
      }
      expect(mismatches, `RSI(${n}): rounded to 2 decimals, ours equals theirs (first mismatch at ${first})`).toBe(0);
    }
  });

  it('differs from technicalindicators on a flat series: the spec says 50, it says 100 (avgLoss = 0 is 100 for it)', () => {
    expect(RSI.calculate({ period: 3, values: [5, 5, 5, 5, 5] }), 'technicalindicators').toEqual([100, 100]);
    expect(Array.from(rsi(f64([5, 5, 5, 5, 5]), 3).subarray(3)), 'ours (BACKTEST_SEMANTICS: 50 when both are 0)').toEqual([50, 50]);
  });
});
