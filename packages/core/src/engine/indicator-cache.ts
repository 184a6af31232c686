import type { CandleSeries } from '../candles/series.js';
import type { IndicatorOperand, Operand } from '../genome/schema.js';
import { atr, bollinger, ema, highest, lowest, macd, natr, rsi, sma, volumeRatio } from '../indicators/index.js';

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

/**
 * Indicator columns computed once per (series, operand) and shared by every strategy that
 * asks for them. Bounded: least recently used columns leave once `maxBytes` is exceeded, so
 * a long batch of strategies runs in flat memory.
 */
export class IndicatorCache {
  readonly #maxBytes: number;
  readonly #columns = new Map<string, Float64Array>();
  readonly #seriesIds = new WeakMap<CandleSeries, number>();
  #nextSeriesId = 0;
  #bytes = 0;
  hits = 0;
  misses = 0;

  constructor(maxBytes = 256 * 1024 * 1024) {
    this.#maxBytes = maxBytes;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The operand's column over the series (a constant is a filled column, so every operand indexes alike). */
  column(series: CandleSeries, o: Operand): Float64Array {
    if (typeof o !== 'number' && o.ind in series && isPriceField(o.ind)) return series[o.ind];
    let id = this.#seriesIds.get(series);
    if (id === undefined) {
      id = this.#nextSeriesId++;
      this.#seriesIds.set(series, id);
    }
    const key = `${id}|${operandKey(o)}`;
    const hit = this.#columns.get(key);
    if (hit) {
      this.hits++;
      this.#columns.delete(key);
      this.#columns.set(key, hit);
      return hit;
    }
    this.misses++;
    let col: Float64Array;
    if (typeof o === 'number') {
      col = new Float64Array(series.close.length).fill(o);
      this.#insert(key, col);
    } else if (o.ind === 'macd' || o.ind === 'bb') {
      // One pass yields every output of the family: keep them all, the siblings are often asked next.
      const outputs: Record<string, Float64Array> =
        o.ind === 'macd' ? { ...macd(series.close, o.fast, o.slow, o.signal) } : { ...bollinger(series.close, o.period, o.k) };
      for (const [out, c] of Object.entries(outputs)) {
        const k = `${id}|${operandKey({ ...o, out } as IndicatorOperand)}`;
        if (k !== key) this.#insert(k, c);
      }
      col = outputs[o.out] as Float64Array;
      this.#insert(key, col);
    } else {
      col = compute(series, o);
      this.#insert(key, col);
    }
    return col;
  }

  #insert(key: string, col: Float64Array): void {
    const old = this.#columns.get(key);
    if (old) {
      this.#columns.delete(key);
      this.#bytes -= old.byteLength;
    }
    this.#columns.set(key, col);
    this.#bytes += col.byteLength;
    while (this.#bytes > this.#maxBytes && this.#columns.size > 1) {
      const [oldKey, old] = this.#columns.entries().next().value as [string, Float64Array];
      this.#columns.delete(oldKey);
      this.#bytes -= old.byteLength;
    }
  }
}

function isPriceField(ind: string): ind is 'open' | 'high' | 'low' | 'close' | 'volume' {
  return ind === 'open' || ind === 'high' || ind === 'low' || ind === 'close' || ind === 'volume';
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
