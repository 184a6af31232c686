/**
 * A candle series as columns. `tsMs` holds bar open times (ms since epoch, UTC), strictly
 * increasing with a fixed step `stepMs`.
 */
export interface CandleSeries {
  readonly symbol: string;
  /** Step label, e.g. `5m` or `1h`. */
  readonly timeframe: string;
  readonly stepMs: number;
  readonly tsMs: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

export interface Candle {
  tsMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export type DataErrorKind =
  | 'invalid_bar'
  | 'bad_number'
  | 'duplicate_ts'
  | 'out_of_order_ts'
  | 'gap'
  | 'missing_column'
  | 'misaligned'
  | 'empty'
  | 'too_coarse';

/** A data error names the symbol, the timeframe and, where there is one, the bar's ts. */
export class DataError extends Error {
  override readonly name = 'DataError';
  constructor(
    readonly kind: DataErrorKind,
    readonly symbol: string,
    readonly timeframe: string,
    readonly tsMs: number | null,
    readonly detail: string,
    /** 1-based line of the source file, where the series came from a file. */
    readonly line: number | null = null,
    /** The file the series came from, where it came from a file. */
    readonly file: string | null = null,
  ) {
    super(
      `${file === null ? '' : `${file}: `}${symbol} ${timeframe}${tsMs === null ? '' : ` at ${formatTs(tsMs)}`}${line === null ? '' : ` (line ${line})`}: ${detail}`,
    );
  }
}

function formatTs(tsMs: number): string {
  return Number.isFinite(tsMs) ? new Date(tsMs).toISOString() : String(tsMs);
}

/** Why a bar is invalid, or null when it is valid (BACKTEST_SEMANTICS "Valid bar"). */
export function invalidBarReason(c: Candle): string | null {
  for (const f of ['open', 'high', 'low', 'close', 'volume'] as const) {
    if (!Number.isFinite(c[f])) return `${f} is not a finite number`;
  }
  if (!(c.open > 0 && c.high > 0 && c.low > 0 && c.close > 0)) return 'prices must be > 0';
  if (c.low > Math.min(c.open, c.close)) return `low ${c.low} above min(open, close)`;
  if (Math.max(c.open, c.close) > c.high) return `high ${c.high} below max(open, close)`;
  if (c.volume < 0) return `volume ${c.volume} is negative`;
  return null;
}

/**
 * Checks a series against the semantics: every bar valid, ts strictly increasing with a
 * fixed step, no duplicates, no gaps. Throws the first DataError found.
 * `lines` optionally maps bar index to source line for messages.
 */
export function validateSeries(s: CandleSeries, lines?: ArrayLike<number>): void {
  const n = s.tsMs.length;
  if (n === 0) throw new DataError('empty', s.symbol, s.timeframe, null, 'no candles');
  for (let i = 0; i < n; i++) {
    const ts = s.tsMs[i] as number;
    const line = lines ? (lines[i] as number) : null;
    const reason = invalidBarReason({
      tsMs: ts,
      open: s.open[i] as number,
      high: s.high[i] as number,
      low: s.low[i] as number,
      close: s.close[i] as number,
      volume: s.volume[i] as number,
    });
    if (reason) throw new DataError('invalid_bar', s.symbol, s.timeframe, ts, `invalid bar: ${reason}`, line);
    if (!Number.isFinite(ts) || ts % s.stepMs !== 0) {
      throw new DataError('invalid_bar', s.symbol, s.timeframe, ts, `ts is not aligned to the ${s.timeframe} step`, line);
    }
    if (i === 0) continue;
    const prev = s.tsMs[i - 1] as number;
    if (ts === prev) throw new DataError('duplicate_ts', s.symbol, s.timeframe, ts, 'duplicate ts', line);
    if (ts < prev) throw new DataError('out_of_order_ts', s.symbol, s.timeframe, ts, `ts out of order (after ${new Date(prev).toISOString()})`, line);
    if (ts - prev !== s.stepMs) {
      const missing = (ts - prev) / s.stepMs - 1;
      throw new DataError('gap', s.symbol, s.timeframe, ts, `gap: ${missing} bar(s) missing after ${new Date(prev).toISOString()}`, line);
    }
  }
}

/** Allocates an empty series of n bars. */
export function allocSeries(symbol: string, timeframe: string, stepMs: number, n: number): CandleSeries {
  return {
    symbol,
    timeframe,
    stepMs,
    tsMs: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
}

/** A view of bars [from, to) sharing memory with the input. */
export function sliceSeries(s: CandleSeries, from: number, to: number): CandleSeries {
  return {
    symbol: s.symbol,
    timeframe: s.timeframe,
    stepMs: s.stepMs,
    tsMs: s.tsMs.subarray(from, to),
    open: s.open.subarray(from, to),
    high: s.high.subarray(from, to),
    low: s.low.subarray(from, to),
    close: s.close.subarray(from, to),
    volume: s.volume.subarray(from, to),
  };
}
