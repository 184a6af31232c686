import { describe, expect, it } from 'vitest';
import { tradeStats } from './trade-stats.js';

describe('tradeStats', () => {
  it('counts wins, gross profit over gross loss, average and streaks in trade order', () => {
    // pnls 10, 20, -5, 0, -5, -10, 30: wins 10, 20, 30; gross profit 60; gross loss 5 + 5 + 10 = 20
    // streaks: wins [10, 20] = 2; losses [-5] | 0 | [-5, -10] = 2
    const s = tradeStats([10, 20, -5, 0, -5, -10, 30]);
    expect(s.trades).toBe(7);
    expect(s.winRate, '3 winners of 7').toBeCloseTo(3 / 7, 15);
    expect(s.profitFactor, '60 / 20').toBeCloseTo(3, 15);
    expect(s.avgTradePnl, '(10+20-5+0-5-10+30) / 7').toBeCloseTo(40 / 7, 12);
    expect(s.longestWinStreak).toBe(2);
    expect(s.longestLossStreak).toBe(2);
  });

  it('counts a flat trade as neither a win nor a loss, and it breaks both streaks', () => {
    const s = tradeStats([-1, 0, -1, 2, 0, 3]);
    expect(s.winRate, '2 winners of 6').toBeCloseTo(2 / 6, 15);
    expect(s.longestLossStreak).toBe(1);
    expect(s.longestWinStreak).toBe(1);
  });

  it('finds the longest streak anywhere in the sequence', () => {
    const s = tradeStats([1, -1, -1, -1, 1, 1, 1, 1, -1]);
    expect(s.longestLossStreak).toBe(3);
    expect(s.longestWinStreak).toBe(4);
  });

  it('gives null profit factor without a loss, and nulls without trades', () => {
    expect(tradeStats([5, 7]).profitFactor, 'no loss').toBeNull();
    expect(tradeStats([-5, -7]).profitFactor, 'no profit, some loss').toBe(0);
    expect(tradeStats([])).toEqual({ winRate: null, profitFactor: null, trades: 0, avgTradePnl: null, longestWinStreak: 0, longestLossStreak: 0 });
  });
});
