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
  const line = macdLine(ema(close, fast), ema(close, slow));
  const sig = ema(line, signal);
  return { line, signal: sig, hist: macdHist(line, sig) };
}

/** The MACD line from the two EMA columns (so a cache can share the EMAs). */
export function macdLine(fastEma: Float64Array, slowEma: Float64Array, line: Float64Array = new Float64Array(fastEma.length)): Float64Array {
  const n = fastEma.length;
  for (let i = 0; i < n; i++) line[i] = (fastEma[i] as number) - (slowEma[i] as number);
  return line;
}

/** The histogram: line - signal. */
export function macdHist(line: Float64Array, signal: Float64Array, hist: Float64Array = new Float64Array(line.length)): Float64Array {
  const n = line.length;
  for (let i = 0; i < n; i++) hist[i] = (line[i] as number) - (signal[i] as number);
  return hist;
}
