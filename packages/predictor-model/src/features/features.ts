import { atr, bollinger, ema, macd, rsi, sma, volumeRatio, type CandleSeries } from '@mastertrade/core';

/**
 * The 20 input features per bar: the seed's "OHLCV + 15 indicators", computed with the
 * engine's own indicator code (packages/core) and expressed so that they do not depend on
 * the price level. Raw prices would put the validation split (later, at other price levels)
 * outside the range the scaler saw on the training split; ratios to the close do not drift.
 *
 * Every value at row t uses bars 0..t only (no look-ahead; tested).
 */
export const FEATURES = [
  /** open_t / close_t - 1 */
  'open',
  /** high_t / close_t - 1 */
  'high',
  /** low_t / close_t - 1 */
  'low',
  /** ln(close_t / close_{t-1}): the close, as the bar's log return */
  'close',
  /** ln(1 + volume_t) */
  'volume',
  /** RSI(14) / 100 */
  'rsi14',
  /** MACD(12, 26, 9) line / close */
  'macd',
  /** MACD signal / close */
  'macd_signal',
  /** MACD histogram / close */
  'macd_hist',
  /** Bollinger(20, 2) upper / close - 1 */
  'bb_upper',
  /** Bollinger(20, 2) lower / close - 1 */
  'bb_lower',
  /** (upper - lower) / middle */
  'bb_width',
  /** ATR(14) / close */
  'atr14',
  /** close / EMA(12) - 1 */
  'ema12',
  /** close / EMA(26) - 1 */
  'ema26',
  /** close / SMA(20) - 1 */
  'sma20',
  /** close / SMA(50) - 1 */
  'sma50',
  /** volume / SMA(20)(volume) */
  'vol_ratio20',
  /** ln(close_t / close_{t-6}) */
  'ret6',
  /** ln(close_t / close_{t-24}) */
  'ret24',
] as const;

export type FeatureName = (typeof FEATURES)[number];

/** Bar features as one row-major matrix, aligned with the series' bars (keyed by symbol and ts). */
export interface FeatureMatrix {
  readonly symbol: string;
  readonly timeframe: string;
  readonly names: readonly FeatureName[];
  /** Bars (= rows). */
  readonly rows: number;
  /** Features per row. */
  readonly width: number;
  /** rows × width, row-major; rows before `firstRow` are NaN (indicator warm-up). */
  readonly values: Float64Array;
  /** The first row where every feature is defined. */
  readonly firstRow: number;
  /** Bar open times, ms (the series' own column). */
  readonly tsMs: Float64Array;
  /** Closes (the series' own column), for targets and price metrics. */
  readonly close: Float64Array;
}

/**
 * Computes the feature matrix of a validated series. After warm-up, a value that is not finite
 * (a bar with zero volume gives a volume ratio of 0/0) repeats the previous row's value, which
 * still uses the past only.
 */
export function buildFeatures(s: CandleSeries): FeatureMatrix {
  const n = s.close.length;
  const width = FEATURES.length;
  const { open, high, low, close, volume } = s;
  const rsiCol = rsi(close, 14);
  const m = macd(close, 12, 26, 9);
  const bb = bollinger(close, 20, 2);
  const atrCol = atr(high, low, close, 14);
  const ema12 = ema(close, 12);
  const ema26 = ema(close, 26);
  const sma20 = sma(close, 20);
  const sma50 = sma(close, 50);
  const volRatio = volumeRatio(volume, 20);
  const lag = (i: number, k: number) => (i >= k ? Math.log((close[i] as number) / (close[i - k] as number)) : NaN);

  const values = new Float64Array(n * width);
  for (let i = 0; i < n; i++) {
    const c = close[i] as number;
    const row = [
      (open[i] as number) / c - 1,
      (high[i] as number) / c - 1,
      (low[i] as number) / c - 1,
      lag(i, 1),
      Math.log1p(volume[i] as number),
      (rsiCol[i] as number) / 100,
      (m.line[i] as number) / c,
      (m.signal[i] as number) / c,
      (m.hist[i] as number) / c,
      (bb.upper[i] as number) / c - 1,
      (bb.lower[i] as number) / c - 1,
      ((bb.upper[i] as number) - (bb.lower[i] as number)) / (bb.middle[i] as number),
      (atrCol[i] as number) / c,
      c / (ema12[i] as number) - 1,
      c / (ema26[i] as number) - 1,
      c / (sma20[i] as number) - 1,
      c / (sma50[i] as number) - 1,
      volRatio[i] as number,
      lag(i, 6),
      lag(i, 24),
    ];
    values.set(row, i * width);
  }

  // Warm-up ends at the first row whose every feature is finite.
  let firstRow = n;
  for (let i = 0; i < n && firstRow === n; i++) {
    let ok = true;
    for (let f = 0; f < width && ok; f++) ok = Number.isFinite(values[i * width + f] as number);
    if (ok) firstRow = i;
  }
  for (let i = 0; i < firstRow * width; i++) values[i] = NaN;
  for (let i = firstRow + 1; i < n; i++) {
    for (let f = 0; f < width; f++) {
      const k = i * width + f;
      if (!Number.isFinite(values[k] as number)) values[k] = values[k - width] as number;
    }
  }
  return { symbol: s.symbol, timeframe: s.timeframe, names: FEATURES, rows: n, width, values, firstRow, tsMs: s.tsMs, close };
}

/** The target at bar t: the next bar's close change in percent, 100 (c_{t+1} / c_t - 1); NaN for the last bar. */
export function nextChangePct(close: Float64Array): Float64Array {
  const n = close.length;
  const out = new Float64Array(n).fill(NaN);
  for (let i = 0; i + 1 < n; i++) out[i] = ((close[i + 1] as number) / (close[i] as number) - 1) * 100;
  return out;
}
