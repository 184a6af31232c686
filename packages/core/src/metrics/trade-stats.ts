export interface TradeStats {
  winRate: number | null;
  profitFactor: number | null;
  trades: number;
  avgTradePnl: number | null;
  longestWinStreak: number;
  longestLossStreak: number;
}

/**
 * Statistics over net trade P&Ls in trade order. A win is pnl > 0, a loss pnl < 0 (a flat trade
 * breaks both streaks). Profit factor = gross profit / gross loss, null when there is no loss.
 */
export function tradeStats(pnls: ArrayLike<number>): TradeStats {
  const n = pnls.length;
  let wins = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  let sum = 0;
  let winRun = 0;
  let lossRun = 0;
  let longestWinStreak = 0;
  let longestLossStreak = 0;
  for (let i = 0; i < n; i++) {
    const p = pnls[i] as number;
    sum += p;
    if (p > 0) {
      wins++;
      grossProfit += p;
      winRun++;
      lossRun = 0;
      if (winRun > longestWinStreak) longestWinStreak = winRun;
    } else if (p < 0) {
      grossLoss -= p;
      lossRun++;
      winRun = 0;
      if (lossRun > longestLossStreak) longestLossStreak = lossRun;
    } else {
      winRun = 0;
      lossRun = 0;
    }
  }
  return {
    winRate: n === 0 ? null : wins / n,
    profitFactor: grossLoss === 0 ? null : grossProfit / grossLoss,
    trades: n,
    avgTradePnl: n === 0 ? null : sum / n,
    longestWinStreak,
    longestLossStreak,
  };
}
