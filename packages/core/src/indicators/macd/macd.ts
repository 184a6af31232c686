import { ema } from '../ema/ema.js';

export interface MacdColumns {
  line: Float64Array;
  signal: Float64Array;
  hist: Float64Array;
}

/**
 * MACD: line = EMA_fast(close) - EMA_slow(close), defined from index slow-1; signal = EMA_signal
 * of the line seeded with the SMA of its first `signal` defined values; hist = line - signal.
 */
export function macd(close: Float64Array, fast: number, slow: number, signal: number): MacdColumns {
  const n = close.length;
  const fastEma = ema(close, fast);
  const slowEma = ema(close, slow);
  const line = new Float64Array(n);
  for (let i = 0; i < n; i++) line[i] = (fastEma[i] as number) - (slowEma[i] as number);
  const sig = ema(line, signal);
  const hist = new Float64Array(n);
  for (let i = 0; i < n; i++) hist[i] = (line[i] as number) - (sig[i] as number);
  return { line, signal: sig, hist };
}
