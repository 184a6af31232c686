import { describe, expect, it } from 'vitest';
import { expectAgreement, f64, warmUp } from '../../fixtures/oracle.js';
import { realSeries5m } from '../../fixtures/real-data.js';
import { volumeRatio } from './volratio.js';

describe('volume ratio', () => {
  it('is volume[t] / SMA(n)(volume)[t], the bar itself included in the mean', () => {
    // volumes [1,2,3,6], n = 3: 3 / ((1+2+3)/3) = 1.5; 6 / ((2+3+6)/3) = 18/11
    const out = volumeRatio(f64([1, 2, 3, 6]), 3);
    expect(warmUp(out)).toBe(2);
    expect(out[2]).toBe(1.5);
    expect(out[3]).toBeCloseTo(18 / 11, 12);
  });

  it('is 1 on constant volume and NaN (an undefined operand) over a window of zero volume', () => {
    expect(Array.from(volumeRatio(f64([4, 4, 4, 4]), 2).subarray(1))).toEqual([1, 1, 1]);
    const zero = volumeRatio(f64([0, 0, 0, 5]), 3);
    expect(zero[2], '0/0 is NaN, so a condition on it is false').toBeNaN();
    expect(zero[3], '5 / (5/3)').toBeCloseTo(3, 12);
  });

  it('matches a brute-force mean on the real volumes', () => {
    const v = realSeries5m('BTCUSDT').volume;
    for (const n of [5, 16, 100]) {
      const brute: number[] = [];
      for (let t = n - 1; t < v.length; t++) {
        let sum = 0;
        for (let j = t - n + 1; j <= t; j++) sum += v[j] as number;
        brute.push((v[t] as number) / (sum / n));
      }
      expectAgreement(`volratio(${n})`, volumeRatio(v, n), brute, n - 1, 1e-12);
    }
  });
});
