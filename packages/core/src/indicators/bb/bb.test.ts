import { BollingerBands } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { expectAgreement, f64, warmUp } from '../../fixtures/oracle.js';
import { realSeries5m } from '../../fixtures/real-data.js';
import { bollinger } from './bb.js';

describe('bollinger bands', () => {
  it('middle = SMA(n), bands = middle +/- k * population sd of the last n values', () => {
    // BB(3, 2) of [1,2,3,4]: windows [1,2,3] and [2,3,4], means 2 and 3,
    // population variance (1+0+1)/3 = 2/3 (the sample variance would be 1)
    const { upper, middle, lower } = bollinger(f64([1, 2, 3, 4]), 3, 2);
    const sd = Math.sqrt(2 / 3);
    expect(Array.from(middle)).toEqual([NaN, NaN, 2, 3]);
    expect(upper[2]).toBeCloseTo(2 + 2 * sd, 12);
    expect(lower[2]).toBeCloseTo(2 - 2 * sd, 12);
    expect(upper[3]).toBeCloseTo(3 + 2 * sd, 12);
    expect(lower[3]).toBeCloseTo(3 - 2 * sd, 12);
    expect(upper[2], 'population, not sample, standard deviation').not.toBeCloseTo(2 + 2 * 1, 6);
  });

  it('scales the band width with k', () => {
    const values = f64([3, 1, 4, 1, 5, 9, 2, 6]);
    const one = bollinger(values, 4, 1);
    const twoAndHalf = bollinger(values, 4, 2.5);
    for (let i = 3; i < values.length; i++) {
      const w1 = (one.upper[i] as number) - (one.middle[i] as number);
      const w25 = (twoAndHalf.upper[i] as number) - (twoAndHalf.middle[i] as number);
      expect(w25, `index ${i}`).toBeCloseTo(2.5 * w1, 10);
    }
  });

  it('has an n-1 warm-up for all three bands and is all NaN when n exceeds the length', () => {
    const values = f64(Array.from({ length: 30 }, (_, i) => 10 + (i % 7)));
    for (const n of [2, 20, 30]) {
      const b = bollinger(values, n, 2);
      expect([warmUp(b.upper), warmUp(b.middle), warmUp(b.lower)], `BB(${n})`).toEqual([n - 1, n - 1, n - 1]);
    }
    expect(Array.from(bollinger(f64([1, 2]), 3, 2).middle)).toEqual([NaN, NaN]);
  });

  it('collapses to the price on a flat window whose mean is exact (100.25 * 3 / 3), even after a volatile stretch', () => {
    // (With 0.1 the window mean itself rounds to 0.10000000000000002 and the sd is a few ulps, not 0.)
    const values = f64([100.3, 7.7, 55.5, 100.25, 100.25, 100.25, 100.25]);
    const { upper, middle, lower } = bollinger(values, 3, 2);
    for (const i of [5, 6]) {
      expect(middle[i], `middle[${i}]`).toBe(100.25);
      expect(upper[i], `upper[${i}]: sd is exactly 0`).toBe(middle[i]);
      expect(lower[i], `lower[${i}]: sd is exactly 0`).toBe(middle[i]);
    }
  });

  it('agrees with technicalindicators BollingerBands on real closes (it also uses the population sd)', () => {
    const close = realSeries5m('BTCUSDT').close;
    const values = Array.from(close);
    for (const [n, k] of [
      [2, 2],
      [20, 2],
      [33, 0.75],
      [100, 2.5],
    ] as const) {
      const ours = bollinger(close, n, k);
      const theirs = BollingerBands.calculate({ period: n, stdDev: k, values });
      expectAgreement(`BB(${n},${k}) upper`, ours.upper, theirs.map((o) => o.upper), n - 1);
      expectAgreement(`BB(${n},${k}) middle`, ours.middle, theirs.map((o) => o.middle), n - 1);
      expectAgreement(`BB(${n},${k}) lower`, ours.lower, theirs.map((o) => o.lower), n - 1);
    }
  });
});
