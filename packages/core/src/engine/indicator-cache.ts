import type { CandleSeries } from '../candles/series.js';
import type { IndicatorOperand, Operand } from '../genome/schema.js';
import {
  atr,
  bollinger,
  bollingerBand,
  ema,
  highest,
  lowest,
  macd,
  macdHist,
  macdLine,
  natr,
  natrFromAtr,
  rsi,
  sma,
  volumeRatio,
  volumeRatioFrom,
  windowStdDev,
} from '../indicators/index.js';

/** A stable text key for an operand, e.g. `rsi:14`, `macd:12:26:9:hist`, `bb:20:2:upper`, `#30`. */
export function operandKey(o: Operand): string {
  if (typeof o === 'number') return `#${o}`;
  switch (o.ind) {
    case 'close':
    case 'open':
    case 'high':
    case 'low':
    case 'volume':
      return o.ind;
    case 'macd':
      return `macd:${o.fast}:${o.slow}:${o.signal}:${o.out}`;
    case 'bb':
      return `bb:${o.period}:${o.k}:${o.out}`;
    default:
      return `${o.ind}:${o.period}`;
  }
}

/** The indicator columns of one series, by key. */
type SeriesColumns = Map<string, Float64Array>;

export interface IndicatorCacheOptions {
  /**
   * Reuse the storage of evicted columns for new ones instead of allocating (and zeroing, and
   * later collecting) fresh arrays, and do not keep leaf columns that one pass over cached
   * parts recomputes (Bollinger bands, MACD histogram, NATR, volume filter): they are made in
   * reused storage for the caller and freed at the next release(), so the bound holds the
   * expensive parts. Only for callers that hold no column across a release(): simulate() and
   * backtest() call it once a sleeve's rules are evaluated. Default false.
   */
  reuse?: boolean;
}

/**
 * Indicator columns computed once per (series, operand) and shared by every strategy that
 * asks for them. Columns are built from shared parts, each computed once and cached too:
 * the EMAs inside MACD (a MACD line serves every signal period), the SMA and standard deviation
 * inside Bollinger bands (they serve every k, and `bb:...:middle` is the `sma` column itself),
 * the ATR inside NATR and the volume SMA inside the volume filter. Every number is the one the
 * indicator function computes on its own.
 *
 * Bounded: least recently used columns leave once `maxBytes` is exceeded, so a long batch of
 * strategies runs in flat memory (with `reuse`, free storage fills what the columns leave of
 * maxBytes plus min(32 MB, maxBytes/8), and as much again is held between safe points).
 * Columns are shared and must not be written to.
 */
export class IndicatorCache {
  readonly #maxBytes: number;
  readonly #reuse: boolean;
  /** Evicted or transient storage since the last release(): possibly still in use (at most #maxSpareBytes). */
  #evicted: Float64Array[] = [];
  #evictedBytes = 0;
  /** Free storage by length: with the columns, at most maxBytes + #maxSpareBytes. */
  readonly #spare = new Map<number, Float64Array[]>();
  #spareBytes = 0;
  readonly #maxSpareBytes: number;
  /** Per series: its columns by key. */
  #bySeries = new WeakMap<CandleSeries, SeriesColumns>();
  /** Every column across series in LRU order, for eviction; the key names its series' map. */
  readonly #lru = new Map<Float64Array, { columns: SeriesColumns; key: string }>();
  #bytes = 0;
  hits = 0;
  misses = 0;

  constructor(maxBytes = 256 * 1024 * 1024, options: IndicatorCacheOptions = {}) {
    this.#maxBytes = maxBytes;
    this.#reuse = options.reuse ?? false;
    this.#maxSpareBytes = Math.min(32 * 1024 * 1024, maxBytes / 8);
  }

  /**
   * A safe point: the caller holds none of the columns handed out so far. With `reuse`, the
   * storage of columns evicted since the last call becomes free for new columns.
   */
  release(): void {
    if (!this.#reuse) return;
    // Free storage may fill what the columns leave of the bound, plus the allowance.
    const room = Math.max(0, this.#maxBytes - this.#bytes) + this.#maxSpareBytes;
    for (const col of this.#evicted) {
      if (this.#spareBytes + col.byteLength <= room) this.#addSpare(col);
    }
    this.#evicted = [];
    this.#evictedBytes = 0;
  }

  /**
   * Drops every column: the next request for any of them computes it again. With `reuse`,
   * their storage is kept for the new columns (a long-running process then touches no new
   * memory batch after batch); the storage held stays within the same bound.
   */
  clear(): void {
    if (this.#reuse) {
      for (const col of this.#lru.keys()) this.#addSpare(col);
    }
    this.#lru.clear();
    this.#bySeries = new WeakMap();
    this.#bytes = 0;
    this.release();
  }

  #addSpare(col: Float64Array): void {
    let list = this.#spare.get(col.length);
    if (list === undefined) {
      list = [];
      this.#spare.set(col.length, list);
    }
    list.push(col);
    this.#spareBytes += col.byteLength;
  }

  /** Storage for a new column of n values: spare (stale contents, every maker writes it all) or new. */
  #take(n: number): Float64Array {
    const col = this.#spare.get(n)?.pop();
    if (col === undefined) return new Float64Array(n);
    this.#spareBytes -= col.byteLength;
    return col;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The operand's column over the series (a constant is a filled column, so every operand indexes alike). */
  column(series: CandleSeries, o: Operand): Float64Array {
    if (typeof o === 'number') {
      const n = series.close.length;
      return this.#get(series, `#${o}`, (out) => out.fill(o));
    }
    const s = series;
    switch (o.ind) {
      case 'close':
      case 'open':
      case 'high':
      case 'low':
      case 'volume':
        return s[o.ind];
      case 'sma':
        return this.#sma(s, o.period);
      case 'ema':
        return this.#ema(s, o.period);
      case 'rsi':
        return this.#get(s, `rsi:${o.period}`, (out) => rsi(s.close, o.period, out));
      case 'atr':
        return this.#atr(s, o.period);
      case 'natr':
        return this.#leaf(s, `natr:${o.period}`, (out) => natrFromAtr(this.#atr(s, o.period), s.close, out));
      case 'volratio':
        return this.#leaf(s, `volratio:${o.period}`, (out) =>
          volumeRatioFrom(s.volume, this.#get(s, `sma(volume):${o.period}`, (avg) => sma(s.volume, o.period, avg)), out),
        );
      case 'highest':
        return this.#get(s, `highest:${o.period}`, (out) => highest(s.high, o.period, out));
      case 'lowest':
        return this.#get(s, `lowest:${o.period}`, (out) => lowest(s.low, o.period, out));
      case 'macd': {
        const { fast, slow, signal } = o;
        const line = this.#get(s, `macd-line:${fast}:${slow}`, (out) => macdLine(this.#ema(s, fast), this.#ema(s, slow), out));
        if (o.out === 'line') return line;
        const sig = this.#get(s, `macd:${fast}:${slow}:${signal}:signal`, (out) => ema(line, signal, out));
        if (o.out === 'signal') return sig;
        return this.#leaf(s, `macd:${fast}:${slow}:${signal}:hist`, (out) => macdHist(line, sig, out));
      }
      case 'bb': {
        const { period, k } = o;
        const mean = this.#sma(s, period);
        if (o.out === 'middle') return mean;
        const sd = this.#get(s, `sd:${period}`, (out) => windowStdDev(s.close, period, mean, out));
        return this.#leaf(s, `bb:${period}:${k}:${o.out}`, (out) => bollingerBand(mean, sd, k, o.out === 'upper' ? 1 : -1, out));
      }
    }
  }

  #sma(s: CandleSeries, period: number): Float64Array {
    return this.#get(s, `sma:${period}`, (out) => sma(s.close, period, out));
  }

  #ema(s: CandleSeries, period: number): Float64Array {
    return this.#get(s, `ema:${period}`, (out) => ema(s.close, period, out));
  }

  #atr(s: CandleSeries, period: number): Float64Array {
    return this.#get(s, `atr:${period}`, (out) => atr(s.high, s.low, s.close, period, out));
  }

  /** A leaf column: cached like any other, or with `reuse` made afresh in storage freed at the next release(). */
  #leaf(series: CandleSeries, key: string, make: (out: Float64Array) => Float64Array): Float64Array {
    if (!this.#reuse) return this.#get(series, key, make);
    this.misses++;
    const col = make(this.#take(series.close.length));
    this.#hold(col);
    return col;
  }

  /** Keeps evicted or transient storage until the next release() (within the bound; beyond it, the collector takes it). */
  #hold(col: Float64Array): void {
    if (this.#evictedBytes + col.byteLength > this.#maxSpareBytes) return;
    this.#evicted.push(col);
    this.#evictedBytes += col.byteLength;
  }

  /** The cached column under `key` for the series, or the one `make` writes into new storage, cached. */
  #get(series: CandleSeries, key: string, make: (out: Float64Array) => Float64Array): Float64Array {
    let columns = this.#bySeries.get(series);
    if (columns === undefined) {
      columns = new Map();
      this.#bySeries.set(series, columns);
    }
    const hit = columns.get(key);
    if (hit !== undefined) {
      this.hits++;
      const entry = this.#lru.get(hit);
      if (entry !== undefined) {
        this.#lru.delete(hit);
        this.#lru.set(hit, entry);
      }
      return hit;
    }
    this.misses++;
    const col = make(this.#take(series.close.length));
    columns.set(key, col);
    this.#lru.set(col, { columns, key });
    this.#bytes += col.byteLength;
    this.#evict(col);
    return col;
  }

  /** Drops least recently used columns until within the bound (never `keep`, the one just made). */
  #evict(keep: Float64Array): void {
    while (this.#bytes > this.#maxBytes && this.#lru.size > 1) {
      const [col, { columns, key }] = this.#lru.entries().next().value as [Float64Array, { columns: SeriesColumns; key: string }];
      if (col === keep) break;
      this.#lru.delete(col);
      columns.delete(key);
      this.#bytes -= col.byteLength;
      if (this.#reuse) this.#hold(col);
    }
  }
}

/** Computes one operand's column (exported for tests that want it uncached). */
export function compute(s: CandleSeries, o: IndicatorOperand): Float64Array {
  switch (o.ind) {
    case 'close':
    case 'open':
    case 'high':
    case 'low':
    case 'volume':
      return s[o.ind];
    case 'sma':
      return sma(s.close, o.period);
    case 'ema':
      return ema(s.close, o.period);
    case 'rsi':
      return rsi(s.close, o.period);
    case 'atr':
      return atr(s.high, s.low, s.close, o.period);
    case 'natr':
      return natr(s.high, s.low, s.close, o.period);
    case 'volratio':
      return volumeRatio(s.volume, o.period);
    case 'highest':
      return highest(s.high, o.period);
    case 'lowest':
      return lowest(s.low, o.period);
    case 'macd':
      return macd(s.close, o.fast, o.slow, o.signal)[o.out];
    case 'bb':
      return bollinger(s.close, o.period, o.k)[o.out];
  }
}
