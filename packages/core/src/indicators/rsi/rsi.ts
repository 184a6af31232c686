/**
 * Wilder's RSI. d_t = c_t - c_{t-1}; the first average gain/loss is the simple mean over
 * d_1..d_n (value at index n), then avg = (prev*(n-1) + current)/n.
 * RSI = 100 - 100/(1 + avgGain/avgLoss); 100 when avgLoss = 0 < avgGain; 50 when both are 0.
 */
export function rsi(close: Float64Array, period: number, out: Float64Array = new Float64Array(close.length)): Float64Array {
  const n = close.length;
  out.fill(NaN);
  if (n <= period) return out;
  let gain = 0;
  let loss = 0;
  for (let i = 1; i <= period; i++) {
    const d = (close[i] as number) - (close[i - 1] as number);
    if (d > 0) gain += d;
    else loss -= d;
  }
  gain /= period;
  loss /= period;
  out[period] = rsiValue(gain, loss);
  for (let i = period + 1; i < n; i++) {
    const d = (close[i] as number) - (close[i - 1] as number);
    gain = (gain * (period - 1) + (d > 0 ? d : 0)) / period;
    loss = (loss * (period - 1) + (d < 0 ? -d : 0)) / period;
    out[i] = rsiValue(gain, loss);
  }
  return out;
}

function rsiValue(avgGain: number, avgLoss: number): number {
  if (avgLoss === 0) return avgGain === 0 ? 50 : 100;
  return 100 - 100 / (1 + avgGain / avgLoss);
}
