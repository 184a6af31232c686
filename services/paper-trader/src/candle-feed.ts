import { DataError, allocSeries, parseStepMs, resample, sliceSeries, timeframeMs, validateSeries, type CandleSeries, type Timeframe } from '@mastertrade/core';
import { readCandles, type Db } from '@mastertrade/db';

/** One symbol's stored base candles read so far, from `fromMs` on; the next read starts at `nextMs` (after the last bar held). */
interface Cached {
  fromMs: number;
  nextMs: number;
  series: CandleSeries;
}

/**
 * The stored candles the paper trader sees, kept in memory between ticks and extended by what
 * arrived since (a tick reads only the new rows). A candle is visible at clock `now` once it has
 * closed: open time + base step <= now (in replay, the virtual clock hides every later one).
 * Holes and invalid bars are data errors, never papered over: the cached copy is dropped and
 * read again once (a hole may have been backfilled since), then the error is thrown.
 */
export class CandleFeed {
  readonly #cache = new Map<string, Cached>();
  readonly #baseStepMs: number;

  constructor(
    private readonly db: Db,
    readonly baseTimeframe: string,
  ) {
    const stepMs = parseStepMs(baseTimeframe);
    if (stepMs === null) throw new Error(`CandleFeed: ${baseTimeframe} is not a step`);
    this.#baseStepMs = stepMs;
  }

  get baseStepMs(): number {
    return this.#baseStepMs;
  }

  /** Exclusive bound on the open time of base bars closed by `nowMs`. */
  visibleBefore(nowMs: number): number {
    return Math.floor(nowMs / this.#baseStepMs) * this.#baseStepMs;
  }

  /**
   * The symbols' series at `timeframe` from `anchorMs` (aligned to it), made of the base bars
   * closed by `nowMs`, cut to the bars every symbol has (so they share timestamps).
   */
  async series(symbols: readonly string[], timeframe: Timeframe, anchorMs: number, nowMs: number): Promise<CandleSeries[]> {
    const toMs = this.visibleBefore(nowMs);
    const out: CandleSeries[] = [];
    for (const symbol of symbols) {
      let base: CandleSeries;
      try {
        base = await this.#base(symbol, anchorMs, toMs);
      } catch (err) {
        if (!(err instanceof DataError)) throw err;
        this.#cache.delete(symbol);
        base = await this.#base(symbol, anchorMs, toMs);
      }
      out.push(resample(base, timeframe, timeframeMs(timeframe)));
    }
    let from = -Infinity;
    let to = Infinity;
    for (const s of out) {
      if (s.tsMs.length === 0) return symbols.map((sym) => allocSeries(sym, timeframe, timeframeMs(timeframe), 0));
      from = Math.max(from, s.tsMs[0] as number);
      to = Math.min(to, s.tsMs[s.tsMs.length - 1] as number);
    }
    const step = timeframeMs(timeframe);
    return out.map((s) => {
      const i = ((from - (s.tsMs[0] as number)) / step) | 0;
      const j = ((to - (s.tsMs[0] as number)) / step) | 0;
      return to < from ? sliceSeries(s, 0, 0) : sliceSeries(s, i, j + 1);
    });
  }

  /** Base bars of [anchorMs, toMs), validated (no holes, valid bars). */
  async #base(symbol: string, anchorMs: number, toMs: number): Promise<CandleSeries> {
    let c = this.#cache.get(symbol);
    if (!c || anchorMs < c.fromMs) {
      const s = await readCandles(this.db, { symbol, timeframe: this.baseTimeframe, fromMs: anchorMs, toMs });
      c = { fromMs: anchorMs, nextMs: nextAfter(s, anchorMs), series: s };
      this.#cache.set(symbol, c);
    } else if (toMs > c.nextMs) {
      // From just after the last bar held (not from the last cutoff): a bar that was late is read too.
      const more = await readCandles(this.db, { symbol, timeframe: this.baseTimeframe, fromMs: c.nextMs, toMs });
      c.series = concat(c.series, more);
      c.nextMs = nextAfter(c.series, c.nextMs);
    }
    const s = c.series;
    const lo = lowerBound(s.tsMs, anchorMs);
    const hi = lowerBound(s.tsMs, toMs);
    const view = sliceSeries(s, lo, hi);
    if (view.tsMs.length === 0) return view;
    validateSeries(view);
    return view;
  }
}

function nextAfter(s: CandleSeries, fallbackMs: number): number {
  const n = s.tsMs.length;
  return n === 0 ? fallbackMs : (s.tsMs[n - 1] as number) + s.stepMs;
}

function concat(a: CandleSeries, b: CandleSeries): CandleSeries {
  if (b.tsMs.length === 0) return a;
  const out = allocSeries(a.symbol, a.timeframe, a.stepMs, a.tsMs.length + b.tsMs.length);
  for (const k of ['tsMs', 'open', 'high', 'low', 'close', 'volume'] as const) {
    out[k].set(a[k], 0);
    out[k].set(b[k], a.tsMs.length);
  }
  return out;
}

/** First index whose value is >= x (sorted input). */
function lowerBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
