import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from './env.js';
import { expectedReturn, judgePaper, poolScore, type JudgeInput } from './judge.js';

const base: JudgeInput = { paperDays: 14, trades: 8, sharpe: 1.5, totalReturn: 0.02, oosSharpe: 2, oosTotalReturn: 0.06, oosDays: 30 };

describe('judgePaper', () => {
  it('waits before PAPER_DAYS, and without enough trades until PAPER_MAX_DAYS', () => {
    expect(judgePaper({ ...base, paperDays: 13.9 }, DEFAULT_RULES).kind).toBe('wait');
    expect(judgePaper({ ...base, trades: 4 }, DEFAULT_RULES).kind).toBe('wait');
    const v = judgePaper({ ...base, trades: 4, paperDays: 28 }, DEFAULT_RULES);
    expect(v, 'too few trades by PAPER_MAX_DAYS retires').toEqual({ kind: 'fail', reason: 'too few paper trades: 4 < 5 after 28.0 days' });
  });

  it('passes within both tolerances and ranks by paper Sharpe', () => {
    // out-of-sample pace over 14 days: 1.06^(14/30) - 1 = 2.76%; 2% is within 5 points; 1.5 >= 2 - 1.
    const v = judgePaper(base, DEFAULT_RULES);
    expect(v.kind).toBe('pass');
    expect(v.kind === 'pass' && v.score).toBe(1.5);
  });

  it('fails on either tolerance, naming what degraded', () => {
    const s = judgePaper({ ...base, sharpe: 0.9 }, DEFAULT_RULES);
    expect(s.kind === 'fail' && s.reason).toMatch(/^paper degraded over 14\.0 days, 8 trades: sharpe 0\.90 < out-of-sample 2\.00 - 1\.00$/);
    const r = judgePaper({ ...base, totalReturn: -0.03 }, DEFAULT_RULES);
    expect(r.kind === 'fail' && r.reason).toMatch(/return -3\.00% < out-of-sample pace \+2\.76% - \+5\.00%/);
    const none = judgePaper({ ...base, sharpe: null, oosSharpe: null, oosTotalReturn: null }, { ...DEFAULT_RULES, sharpeTolerance: 0, returnTolerance: 0 });
    expect(none.kind, 'no variance and no reference: Sharpe 0 >= 0, return 2% >= 0').toBe('pass');
  });

  it('scales the out-of-sample return to the paper period, compounded per day', () => {
    expect(expectedReturn(0.21, 60, 30)).toBeCloseTo(0.1, 12);
    expect(expectedReturn(null, 30, 14)).toBe(0);
    expect(expectedReturn(-1.5, 30, 14)).toBe(-1);
  });

  it('pool score: paper Sharpe once there are enough trades, else the out-of-sample Sharpe', () => {
    expect(poolScore({ trades: 5, sharpe: -1, oosSharpe: 3 }, 5)).toBe(-1);
    expect(poolScore({ trades: 4, sharpe: -1, oosSharpe: 3 }, 5)).toBe(3);
    expect(poolScore({ trades: 0, sharpe: null, oosSharpe: null }, 5)).toBe(Number.NEGATIVE_INFINITY);
  });
});
