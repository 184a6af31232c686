import { describe, expect, it } from 'vitest';
import { errorMetrics, normalCdf, validationReport } from './metrics.js';

describe('errorMetrics', () => {
  it('computes MAE, RMSE, MAPE of the price and direction by hand', () => {
    // pred vs actual, in %: errors 0.5, -1, 0 → MAE 0.5, RMSE sqrt(1.25/3)
    const m = errorMetrics([1, -0.5, 0.2], [0.5, 0.5, 0.2], [100, 200, 50]);
    expect(m.mae).toBeCloseTo(0.5, 12);
    expect(m.rmse).toBeCloseTo(Math.sqrt(1.25 / 3), 12);
    // |101 - 100.5| / 100.5, |199 - 201| / 201, 0
    expect(m.mapePrice).toBeCloseTo((100 * (0.5 / 100.5 + 2 / 201)) / 3, 10);
    expect(m.directionalAccuracy, '2 of 3 directions right').toBeCloseTo(2 / 3, 12);
  });

  it('gives no direction for a forecast of zero', () => {
    expect(errorMetrics([0, 0], [1, -1], [1, 1]).directionalAccuracy).toBeNull();
  });
});

describe('validationReport', () => {
  const actual = [0.4, -0.2, 0.1, -0.3, 0.5, -0.1];
  const lastChange = [0.1, 0.4, -0.2, 0.1, -0.3, 0.5];
  const close = actual.map(() => 100);

  it('marks a forecast worse than "no change" as not usable, and says so', () => {
    const r = validationReport({ pred: actual.map((a) => -a), actual, lastChange, close });
    expect(r.skill).toBeCloseTo(1 - (2 * 0.2667) / 0.2667, 2);
    expect(r.usable).toBe(false);
    expect(r.verdict).toMatch(/does NOT beat the zero-change baseline.*not usable as a signal/);
    expect(r.zeroChange.mae).toBeCloseTo(1.6 / 6, 12);
    expect(r.upShare).toBeCloseTo(0.5, 12);
  });

  it('marks a forecast better than both baselines as usable', () => {
    const r = validationReport({ pred: actual.map((a) => a * 0.5), actual, lastChange, close });
    expect(r.skill).toBeCloseTo(0.5, 12);
    expect(r.usable).toBe(true);
    expect(r.model.directionalAccuracy).toBe(1);
  });
});

describe('normalCdf', () => {
  it('matches known values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
  });
});
