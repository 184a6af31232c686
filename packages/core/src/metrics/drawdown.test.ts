import { describe, expect, it } from 'vitest';
import { f64 } from '../fixtures/oracle.js';
import { maxDrawdown } from './drawdown.js';

describe('maxDrawdown', () => {
  it('is max_t (1 - E_t / running peak)', () => {
    // peaks 100, 120, 120, 130, 130: drawdowns 0, 0, 1 - 90/120 = 0.25, 0, 1 - 65/130 = 0.5
    expect(maxDrawdown(f64([100, 120, 90, 130, 65]))).toBeCloseTo(0.5, 15);
    // the deepest fall is not the last: 1 - 60/120 = 0.5 beats 1 - 140/200 = 0.3
    expect(maxDrawdown(f64([100, 120, 60, 200, 140]))).toBeCloseTo(0.5, 15);
  });

  it('measures from the running peak, not from the start', () => {
    // 100 -> 200 -> 150: 25% below the peak of 200, though 50% above the start
    expect(maxDrawdown(f64([100, 200, 150]))).toBeCloseTo(0.25, 15);
  });

  it('is 0 for a curve that never falls and 1 for one that reaches zero', () => {
    expect(maxDrawdown(f64([100, 100, 101, 150]))).toBe(0);
    expect(maxDrawdown(f64([100, 50, 0, 0]))).toBe(1);
    expect(maxDrawdown(f64([100]))).toBe(0);
  });
});
