import { describe, expect, it } from 'vitest';
import { f64 } from '../fixtures/oracle.js';
import { barReturns } from './returns.js';

describe('barReturns', () => {
  it('is E_t/E_{t-1} - 1 for t >= 1, one shorter than the curve', () => {
    // 100 -> 110: +10%; 110 -> 99: -10%
    const r = barReturns(f64([100, 110, 99]));
    expect(r.length).toBe(2);
    expect(r[0]).toBeCloseTo(0.1, 15);
    expect(r[1]).toBeCloseTo(-0.1, 15);
  });

  it('is -1 into zero equity and 0 out of it (E_{t-1} = 0)', () => {
    expect(Array.from(barReturns(f64([50, 0, 0, 0])))).toEqual([-1, 0, 0]);
  });

  it('is empty for a curve of one bar or none', () => {
    expect(barReturns(f64([100])).length).toBe(0);
    expect(barReturns(f64([])).length).toBe(0);
  });
});
