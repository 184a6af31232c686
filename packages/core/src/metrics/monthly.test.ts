import { describe, expect, it } from 'vitest';
import { f64 } from '../fixtures/oracle.js';
import { monthlyReturns } from './monthly.js';

const H = 3_600_000;

describe('monthlyReturns', () => {
  it("compares each UTC month's last close with the previous month's last close (the first with capital)", () => {
    // bars at Jan 31 22:00, 23:00 (January), Feb 1 00:00 ... 02:00 (February), Mar 1 00:00 (March)
    const jan31 = Date.UTC(2025, 0, 31, 22);
    const ts = f64([jan31, jan31 + H, jan31 + 2 * H, jan31 + 3 * H, jan31 + 4 * H, Date.UTC(2025, 2, 1)]);
    const equity = f64([1000, 1100, 1200, 990, 1320, 660]);
    const m = monthlyReturns(ts, equity, 1000);
    expect(Object.keys(m), 'UTC months in order, zero-padded').toEqual(['2025-01', '2025-02', '2025-03']);
    expect(m['2025-01'], 'January: 1100 / 1000 - 1').toBeCloseTo(0.1, 15);
    expect(m['2025-02'], 'February: 1320 / 1100 - 1').toBeCloseTo(0.2, 15);
    expect(m['2025-03'], 'March: 660 / 1320 - 1').toBeCloseTo(-0.5, 15);
  });

  it('uses UTC, not local time, for the month boundary', () => {
    // 2025-03-31T23:30Z is March in UTC (April in UTC+1)
    const ts = f64([Date.UTC(2025, 2, 31, 23, 30), Date.UTC(2025, 3, 1, 0, 30)]);
    expect(Object.keys(monthlyReturns(ts, f64([1000, 1000]), 1000))).toEqual(['2025-03', '2025-04']);
  });

  it('crosses a year boundary', () => {
    const ts = f64([Date.UTC(2024, 11, 31, 23), Date.UTC(2025, 0, 1, 0)]);
    const m = monthlyReturns(ts, f64([1050, 1102.5]), 1000);
    expect(m['2024-12']).toBeCloseTo(0.05, 15);
    expect(m['2025-01']).toBeCloseTo(0.05, 15);
  });

  it('gives 0 for a month that starts from zero equity', () => {
    const ts = f64([Date.UTC(2025, 0, 31), Date.UTC(2025, 1, 1)]);
    expect(monthlyReturns(ts, f64([0, 0]), 1000)).toEqual({ '2025-01': -1, '2025-02': 0 });
  });
});
