import { describe, expect, it } from 'vitest';
import { createRng } from '../util/rng.js';
import { deflatedSharpe, expectedMaxSharpe, probabilisticSharpe } from './dsr.js';
import { returnMoments } from './moments.js';
import { normalCdf, normalQuantile } from './normal.js';
import { probabilityOfBacktestOverfitting } from './pbo.js';

describe('normal distribution', () => {
  it('matches known values', () => {
    // Values from Python's statistics.NormalDist.
    expect(normalCdf(1)).toBeCloseTo(0.8413447460685429, 6);
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalQuantile(0.975)).toBeCloseTo(1.9599639845400536, 8);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 8);
    for (const p of [1e-6, 0.01, 0.3, 0.77, 0.999]) expect(normalCdf(normalQuantile(p)), `round trip at ${p}`).toBeCloseTo(p, 6);
  });
});

describe('deflated Sharpe ratio (Bailey & López de Prado, 2014)', () => {
  it("reproduces the paper's worked example: N=100, V=0.5 annual, T=1250 daily, skew -3, kurtosis 10, SR 2.5 annual -> 0.9004", () => {
    const periods = 250;
    const r = deflatedSharpe({ sharpe: 2.5 / Math.sqrt(periods), n: 1250, skew: -3, kurtosis: 10, trials: 100, trialsSharpeVariance: 0.5 / periods });
    // SR0 by hand: sqrt(0.5/250)*((1-γ)Φ⁻¹(0.99) + γΦ⁻¹(1-1/(100e))) = 0.113172 (per day).
    expect(r.expectedMaxSharpe).toBeCloseTo(0.11317200186513214, 6);
    expect(r.dsr).toBeCloseTo(0.9003968344493904, 5);
  });

  it('is the probabilistic Sharpe ratio against zero when there is one trial', () => {
    // PSR(SR=0.1, n=100, normal returns) = Φ(0.1·sqrt(99)/sqrt(1 + 0.5·0.01)) = 0.83953 (by hand).
    expect(probabilisticSharpe(0.1, 0, 100, 0, 3)).toBeCloseTo(0.8395254171844497, 6);
    expect(deflatedSharpe({ sharpe: 0.1, n: 100, skew: 0, kurtosis: 3, trials: 1, trialsSharpeVariance: 0.01 }).dsr).toBeCloseTo(0.8395254171844497, 6);
  });

  it('deflates more as trials grow', () => {
    const at = (trials: number) => deflatedSharpe({ sharpe: 0.05, n: 2000, skew: 0, kurtosis: 3, trials, trialsSharpeVariance: 0.001 }).dsr;
    expect(at(10)).toBeGreaterThan(at(100));
    expect(at(100)).toBeGreaterThan(at(10_000));
    expect(expectedMaxSharpe(1, 1)).toBe(0);
  });
});

describe('return moments', () => {
  it('computes mean, sample std, skewness and kurtosis by hand', () => {
    // r = [1, 2, 3, 4]: mean 2.5; deviations ±0.5, ±1.5; m2 = 1.25; sample var = 5/3; skew 0;
    // m4 = (2·0.0625 + 2·5.0625)/4 = 2.5625; kurtosis = 2.5625/1.5625 = 1.64.
    const m = returnMoments([1, 2, 3, 4]);
    expect(m.mean).toBe(2.5);
    expect(m.std).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(m.skew).toBeCloseTo(0, 12);
    expect(m.kurtosis).toBeCloseTo(1.64, 12);
    expect(m.sharpe).toBeCloseTo(2.5 / Math.sqrt(5 / 3), 12);
  });
});

describe('probability of backtest overfitting (CSCV)', () => {
  it('is 0 when one strategy is better in every block', () => {
    const rng = createRng(7);
    const t = 160;
    const noise = () => Array.from({ length: t }, () => (rng.next() - 0.5) * 0.01);
    const good = noise().map((x) => x + 0.01);
    const r = probabilityOfBacktestOverfitting([good, noise(), noise(), noise()], 8);
    expect(r.splits).toBe(70); // C(8, 4)
    expect(r.pbo).toBe(0);
  });

  it('is 1 when the in-sample winner is always the out-of-sample loser', () => {
    // Two strategies, 4 blocks of 2 rows. A earns in blocks 0 and 1, B in blocks 2 and 3; with
    // noise so no Sharpe is infinite. Any IS half with more A-blocks picks A, whose OOS half
    // then holds more B-blocks. Balanced halves pick by noise; we make them favour the loser too.
    const a = [0.02, 0.021, 0.02, 0.019, -0.02, -0.021, -0.02, -0.019];
    const b = a.map((x) => -x);
    const r = probabilityOfBacktestOverfitting([a, b], 4);
    expect(r.splits).toBe(6);
    expect(r.pbo, `logits ${r.logits.join(', ')}`).toBeGreaterThanOrEqual(4 / 6);
  });

  it('gives, split by split, the logit of a direct computation from the rows', () => {
    // Reference: for each split, every strategy's Sharpe from its raw rows, the in-sample
    // winner, its out-of-sample rank. Continuous noise has no ties, so logits match exactly.
    const rng = createRng(23);
    const blocks = 10;
    const rows = 7;
    const series = Array.from({ length: 25 }, (_, k) => Array.from({ length: blocks * rows + 3 }, () => rng.next() - 0.5 + k * 1e-3));
    const sharpe = (xs: number[]) => {
      const mean = xs.reduce((x, y) => x + y, 0) / xs.length;
      const v = xs.reduce((x, y) => x + (y - mean) ** 2, 0) / (xs.length - 1);
      return mean / Math.sqrt(v);
    };
    const pick = (r: number[], mask: number) => r.slice(0, blocks * rows).filter((_, i) => (mask >> Math.floor(i / rows)) & 1);
    const expected: number[] = [];
    for (let mask = 0; mask < 1 << blocks; mask++) {
      let bits = 0;
      for (let b = 0; b < blocks; b++) bits += (mask >> b) & 1;
      if (bits !== blocks / 2) continue;
      const is = series.map((r) => sharpe(pick(r, mask)));
      const oos = series.map((r) => sharpe(pick(r, ~mask)));
      const best = is.indexOf(Math.max(...is));
      const below = oos.filter((v) => v < (oos[best] as number)).length;
      const omega = (below + 1) / (series.length + 1);
      expected.push(Math.log(omega / (1 - omega)));
    }
    const r = probabilityOfBacktestOverfitting(series, blocks);
    expect(r.splits).toBe(252);
    expect(r.logits).toEqual(expected);
    expect(r.pbo).toBe(expected.filter((l) => l <= 0).length / 252);
  });

  it('is near one half for pure noise', () => {
    const rng = createRng(11);
    const series = Array.from({ length: 40 }, () => Array.from({ length: 320 }, () => rng.next() - 0.5));
    const r = probabilityOfBacktestOverfitting(series, 16);
    expect(r.splits).toBe(12870);
    expect(r.pbo).toBeGreaterThan(0.25);
    expect(r.pbo).toBeLessThan(0.75);
  });
});
