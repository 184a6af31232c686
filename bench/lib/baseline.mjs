/**
 * The physical-limit baseline: one fixed strategy hand-written as a single tight loop over
 * Float64Array columns, with nothing generic left in it.
 *
 *   RSI(14), Wilder, computed inline bar by bar; long entry when RSI < 30, exit when RSI > 55
 *   (signals at the close of bar t fill at the open of t+1, with slippage); stop-loss 3% of the
 *   entry fill (gap at the open, else at the stop level); fee on both fills; full-equity sizing;
 *   equity marked at every close and running Sharpe sums (sum r, sum r^2) updated every bar;
 *   the open position is closed at the last close.
 *
 * One call is `close.length` bar-steps.
 */
export function baselineRun(open, low, close, settings) {
  const n = close.length;
  const period = 14;
  const fee = settings.fee;
  const buySlip = 1 + settings.slippage;
  const sellSlip = 1 - settings.slippage;
  const stopFrac = 0.03;
  let cash = settings.capital;
  let qty = 0;
  let entry = 0;
  let entryFee = 0;
  let stop = 0;
  let inPos = false;
  let pending = 0; // 1 enter, 2 exit
  let gain = 0;
  let loss = 0;
  let rsi = NaN;
  let prevEq = cash;
  let sumR = 0;
  let sumR2 = 0;
  let trades = 0;
  let wins = 0;
  for (let t = 0; t < n; t++) {
    const o = open[t];
    let closed = false;
    if (pending === 1 && !inPos) {
      entry = o * buySlip;
      qty = cash / entry;
      entryFee = cash * fee;
      cash -= entryFee;
      stop = entry * (1 - stopFrac);
      inPos = true;
    } else if (pending === 2 && inPos) {
      const px = o * sellSlip;
      const net = qty * (px - entry) - qty * px * fee;
      cash += net;
      trades++;
      if (net > entryFee) wins++;
      inPos = false;
      closed = true;
    }
    pending = 0;
    if (inPos) {
      const px = o <= stop ? o * sellSlip : low[t] <= stop ? stop : 0;
      if (px !== 0) {
        const net = qty * (px - entry) - qty * px * fee;
        cash += net;
        trades++;
        if (net > entryFee) wins++;
        inPos = false;
        closed = true;
      }
    }
    const c = close[t];
    if (t > 0) {
      const d = c - close[t - 1];
      if (t <= period) {
        if (d > 0) gain += d;
        else loss -= d;
        if (t === period) {
          gain /= period;
          loss /= period;
          rsi = loss === 0 ? (gain === 0 ? 50 : 100) : 100 - 100 / (1 + gain / loss);
        }
      } else {
        gain = (gain * (period - 1) + (d > 0 ? d : 0)) / period;
        loss = (loss * (period - 1) + (d < 0 ? -d : 0)) / period;
        rsi = loss === 0 ? (gain === 0 ? 50 : 100) : 100 - 100 / (1 + gain / loss);
      }
    }
    let eq = inPos ? cash + qty * (c - entry) : cash;
    if (t === n - 1 && inPos) {
      const px = c * sellSlip;
      const net = qty * (px - entry) - qty * px * fee;
      cash += net;
      trades++;
      if (net > entryFee) wins++;
      inPos = false;
      eq = cash;
    }
    if (t > 0) {
      const r = prevEq === 0 ? 0 : eq / prevEq - 1;
      sumR += r;
      sumR2 += r * r;
    }
    prevEq = eq;
    if (inPos) {
      if (rsi > 55) pending = 2;
    } else if (!closed && rsi < 30) pending = 1;
  }
  const m = n - 1;
  const mean = sumR / m;
  const sd = Math.sqrt((sumR2 - m * mean * mean) / (m - 1));
  return { equity: prevEq, trades, wins, sharpe: (mean / sd) * Math.sqrt(365 * 288) };
}
