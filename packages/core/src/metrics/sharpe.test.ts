import { describe, expect, it } from 'vitest';
import { barsPerYear } from '../candles/timeframe.js';
import { f64 } from '../fixtures/oracle.js';
import { sharpeRatio, sortinoRatio } from './sharpe.js';

const B5M = 365 * 24 * 12; // 105120 five-minute bars a year

describe('sharpeRatio', () => {
  it('is mean / sample std * sqrt(bars per year)', () => {
    // returns [0.01, 0.03]: mean 0.02; deviations +-0.01; sample variance (1e-4 + 1e-4) / (2-1) = 2e-4
    expect(sharpeRatio(f64([0.01, 0.03]), B5M)).toBeCloseTo((0.02 / Math.sqrt(2e-4)) * Math.sqrt(B5M), 9);
    // returns [0.02, -0.01, 0.02]: mean 0.01; squared deviations 1e-4, 4e-4, 1e-4; sample variance 6e-4 / 2 = 3e-4
    expect(sharpeRatio(f64([0.02, -0.01, 0.02]), 1)).toBeCloseTo(0.01 / Math.sqrt(3e-4), 12);
  });

  it('annualises with 365*24*60 / timeframe minutes (crypto trades every day)', () => {
    expect(barsPerYear('5m')).toBe(B5M);
    expect(barsPerYear('15m')).toBe(35040);
    expect(barsPerYear('1h')).toBe(8760);
    expect(barsPerYear('4h')).toBe(2190);
  });

  it('is negative for a losing curve', () => {
    expect(sharpeRatio(f64([-0.01, -0.03]), 1)).toBeCloseTo(-0.02 / Math.sqrt(2e-4), 12);
  });

  it('is null without variance or with fewer than two returns', () => {
    expect(sharpeRatio(f64([0.01, 0.01, 0.01]), B5M), 'no variance').toBeNull();
    expect(sharpeRatio(f64([0, 0]), B5M), 'flat curve').toBeNull();
    expect(sharpeRatio(f64([0.01]), B5M), 'one return: no sample std').toBeNull();
    expect(sharpeRatio(f64([]), B5M)).toBeNull();
  });
});

describe('sortinoRatio', () => {
  it('is mean / sqrt(mean(min(r,0)^2)) * sqrt(bars per year), over all returns', () => {
    // returns [0.03, -0.01]: mean 0.01; downside deviation sqrt((0 + 1e-4) / 2)
    expect(sortinoRatio(f64([0.03, -0.01]), 1)).toBeCloseTo(0.01 / Math.sqrt(1e-4 / 2), 12);
    // returns [0.02, -0.01, 0.02, -0.03]: mean 0; any downside gives 0
    expect(sortinoRatio(f64([0.02, -0.01, 0.02, -0.03]), B5M)).toBeCloseTo(0, 12);
    // returns [0.05, -0.02, -0.01]: mean 0.02/3; downside sqrt((4e-4 + 1e-4) / 3)
    expect(sortinoRatio(f64([0.05, -0.02, -0.01]), B5M)).toBeCloseTo((0.02 / 3 / Math.sqrt(5e-4 / 3)) * Math.sqrt(B5M), 9);
  });

  it('is null without downside (no losing bar) or without returns', () => {
    expect(sortinoRatio(f64([0.01, 0, 0.02]), B5M)).toBeNull();
    expect(sortinoRatio(f64([]), B5M)).toBeNull();
  });
});
