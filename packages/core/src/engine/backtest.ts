import { DataError, type CandleSeries } from '../candles/series.js';
import { barsPerYear } from '../candles/timeframe.js';
import type { StrategyDocument } from '../genome/schema.js';
import { monthlyReturns, tradeStats } from '../metrics/index.js';
import { IndicatorCache } from './indicator-cache.js';
import { compileRules } from './rules.js';
import { runSleeve, sleeveSignals, type SignalMasks, type SimRange, type SleeveRun } from './sleeve.js';
import type { BacktestResult, BacktestSettings, Metrics, Trade, TradeJson } from './types.js';

export interface BacktestRun {
  /** Bar open times of the strategy's timeframe. */
  tsMs: Float64Array;
  /** Summed equity of all sleeves at every bar close. */
  equity: Float64Array;
  sleeves: SleeveRun[];
  /** All trades in result order: exit bar, then symbol position, then entry bar. */
  trades: Trade[];
}

/**
 * Reusable Float64Array storage by slot. backtest() runs its equity curves in it: they never
 * leave backtest() (the result holds numbers only), so one batch allocates them once instead
 * of once per strategy. Everything here is synchronous, so one module-level pool is safe.
 */
class Scratch {
  readonly #buffers: Float64Array[] = [];

  /** A view of `n` floats in slot `slot`; its contents are stale, the caller writes every entry. */
  get(slot: number, n: number): Float64Array {
    let b = this.#buffers[slot];
    if (b === undefined || b.length < n) {
      b = new Float64Array(n);
      this.#buffers[slot] = b;
    }
    return b.length === n ? b : b.subarray(0, n);
  }
}

const scratch = new Scratch();
/** Slot 0: per-bar returns of computeMetrics; 1: the summed equity; 2 + i: sleeve i's equity. */
const RETURNS_SLOT = 0;
const EQUITY_SLOT = 1;
const SLEEVE_SLOT = 2;

/**
 * Runs a strategy over series already at its timeframe, one per symbol in `doc.symbols` order,
 * sharing timestamps. Pure and deterministic: the same inputs give the same numbers.
 */
export function simulate(
  doc: StrategyDocument,
  series: readonly CandleSeries[],
  settings: BacktestSettings,
  cache: IndicatorCache = new IndicatorCache(),
  range?: SimRange,
): BacktestRun {
  return runRanges(doc, series, settings, cache, null, [range])[0] as BacktestRun;
}

/** Storage for simulateRanges(..., { reuse: true }): one Scratch per range position. */
const rangeScratch: Scratch[] = [];

/**
 * simulate() over several ranges of the same series (walk-forward: in-sample, folds,
 * out-of-sample): the rules are compiled and their signal masks computed once, for the whole
 * series, and every range runs from them. Each run is exactly simulate(doc, series, settings,
 * cache, range).
 *
 * With `reuse`, the runs' equity curves live in storage reused by the next simulateRanges call
 * (copy what must outlive it): a batch of strategies then allocates no new curves, which keeps
 * the collector and the kernel's page zeroing out of a busy worker.
 */
export function simulateRanges(
  doc: StrategyDocument,
  series: readonly CandleSeries[],
  settings: BacktestSettings,
  cache: IndicatorCache,
  ranges: readonly (SimRange | undefined)[],
  options: { reuse?: boolean } = {},
): BacktestRun[] {
  const pools = options.reuse ? ranges.map((_, r) => (rangeScratch[r] ??= new Scratch())) : null;
  return runRanges(doc, series, settings, cache, pools, ranges);
}

/** The runs of simulateRanges(), range r's equity curves in `pools[r]` when given (then only valid until its next use). */
function runRanges(
  doc: StrategyDocument,
  series: readonly CandleSeries[],
  settings: BacktestSettings,
  cache: IndicatorCache,
  pools: readonly Scratch[] | null,
  ranges: readonly (SimRange | undefined)[],
): BacktestRun[] {
  if (series.length !== doc.symbols.length) throw new Error('simulate: one series per symbol is required');
  const first = series[0] as CandleSeries;
  const total = first.tsMs.length;
  for (const s of series) assertSameTimestamps(first, s, doc.timeframe);
  const bounds = ranges.map((range) => {
    const from = Math.max(0, range?.from ?? 0);
    const to = Math.min(total, range?.to ?? total);
    if (to - from <= 0) throw new DataError('empty', first.symbol, doc.timeframe, null, 'no complete bars at this timeframe');
    return { from, to };
  });
  const k = series.length;
  const signals: SignalMasks[] = [];
  for (let i = 0; i < k; i++) {
    signals.push(sleeveSignals(compileRules(doc, series[i] as CandleSeries, cache), total, i));
    cache.release(); // the rules' columns are read (the sleeves work from their signal masks)
  }
  return ranges.map((range, r) => {
    const { from, to } = bounds[r] as { from: number; to: number };
    return assemble(doc, series, settings, signals, pools?.[r] ?? null, from, to, range);
  });
}

/** One run from the sleeves' signal masks: every sleeve over [from, to), summed equity, merged trades. */
function assemble(
  doc: StrategyDocument,
  series: readonly CandleSeries[],
  settings: BacktestSettings,
  signals: readonly SignalMasks[],
  pool: Scratch | null,
  from: number,
  to: number,
  range: SimRange | undefined,
): BacktestRun {
  const first = series[0] as CandleSeries;
  const total = first.tsMs.length;
  const n = to - from;
  const k = series.length;
  const sleeveCapital = settings.capital / k;
  const sleeves: SleeveRun[] = [];
  for (let i = 0; i < k; i++) {
    sleeves.push(runSleeve(series[i] as CandleSeries, i, doc, signals[i] as SignalMasks, sleeveCapital, settings, pool?.get(SLEEVE_SLOT + i, n), range));
  }
  // Summed equity: 0 + e_0 + e_1 + ..., in sleeve order. A sleeve's equity is never -0 (it is
  // cash, cash plus open P&L, or a literal 0), so 0 + e_0 is e_0 and one sleeve's curve is the sum.
  const e0 = (sleeves[0] as SleeveRun).equity;
  let equity = e0;
  if (k > 1) {
    equity = pool ? pool.get(EQUITY_SLOT, n) : new Float64Array(n);
    const e1 = (sleeves[1] as SleeveRun).equity;
    for (let t = 0; t < n; t++) equity[t] = 0 + (e0[t] as number) + (e1[t] as number);
    for (let i = 2; i < k; i++) {
      const e = (sleeves[i] as SleeveRun).equity;
      for (let t = 0; t < n; t++) equity[t] = (equity[t] as number) + (e[t] as number);
    }
  }
  // Result order: exit bar, then symbol position, then entry bar. Each sleeve's trades are in
  // that order already (a sleeve's exits strictly increase), so merging them sleeve by sleeve,
  // earlier sleeves first on equal exit bars, gives exactly the sorted order.
  let trades = (sleeves[0] as SleeveRun).trades.slice();
  for (let i = 1; i < k; i++) trades = mergeByExit(trades, (sleeves[i] as SleeveRun).trades);
  return { tsMs: from === 0 && to === total ? first.tsMs : first.tsMs.subarray(from, to), equity, sleeves, trades };
}

/** Merges two lists in exit-bar order; on equal exit bars `a` (earlier sleeves) comes first. */
function mergeByExit(a: readonly Trade[], b: readonly Trade[]): Trade[] {
  const out: Trade[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if ((b[j] as Trade).exitIndex < (a[i] as Trade).exitIndex) out.push(b[j++] as Trade);
    else out.push(a[i++] as Trade);
  }
  while (i < a.length) out.push(a[i++] as Trade);
  while (j < b.length) out.push(b[j++] as Trade);
  return out;
}

function assertSameTimestamps(a: CandleSeries, b: CandleSeries, timeframe: string): void {
  if (a === b || a.tsMs === b.tsMs) return;
  const n = Math.max(a.tsMs.length, b.tsMs.length);
  for (let i = 0; i < n; i++) {
    const x = a.tsMs[i];
    const y = b.tsMs[i];
    if (x !== y) {
      const ts = x === undefined ? (y as number) : y === undefined ? x : Math.min(x, y);
      const missingIn = x === undefined || (y !== undefined && y < x) ? a.symbol : b.symbol;
      throw new DataError('misaligned', missingIn, timeframe, ts, `timestamp missing in ${missingIn} (present in ${missingIn === a.symbol ? b.symbol : a.symbol})`);
    }
  }
}

/** Metrics of one equity curve and its trades (STRATEGY_FORMAT.md "Result"). */
export function computeMetrics(
  tsMs: Float64Array,
  equity: Float64Array,
  trades: readonly Trade[],
  capital: number,
  exposure: number,
  bpy: number,
): Metrics {
  const curve = curveStats(equity, bpy, scratch.get(RETURNS_SLOT, Math.max(0, equity.length - 1)));
  const last = equity[equity.length - 1] as number;
  const pnls = new Float64Array(trades.length);
  for (let i = 0; i < trades.length; i++) pnls[i] = (trades[i] as Trade).pnl;
  return {
    totalReturn: last / capital - 1,
    sharpe: curve.sharpe,
    sortino: curve.sortino,
    maxDrawdown: curve.maxDrawdown,
    ...tradeStats(pnls),
    exposure,
    monthlyReturns: monthlyReturns(tsMs, equity, capital),
  };
}

/**
 * sharpeRatio(barReturns(equity)), sortinoRatio(barReturns(equity)) and maxDrawdown(equity) of
 * metrics/, in two passes over the curve instead of five: per-bar returns, their sum (Sharpe
 * and Sortino add the same returns in the same order), the downside sum and the drawdown in
 * one, the squared deviations from the mean in the second. Every operation is the one metrics/
 * performs, in the same order, so the numbers are the same bit for bit. `r` is scratch for the
 * n-1 returns.
 */
function curveStats(equity: Float64Array, bpy: number, r: Float64Array): { sharpe: number | null; sortino: number | null; maxDrawdown: number } {
  const n = equity.length;
  let peak = -Infinity;
  let worst = 0;
  // Above `floor`, 1 - e/peak cannot exceed `worst` (the margin 1e-9 dwarfs the few roundings
  // involved), so the drawdown division is skipped there; at or below it, it is done exactly.
  let floor = Infinity;
  let sum = 0;
  let down = 0;
  let prev = 0;
  for (let t = 0; t < n; t++) {
    const e = equity[t] as number;
    if (t > 0) {
      // e / prev is exactly 1 when e === prev (finite, non-zero): a flat bar's return is 0.
      const x = e === prev && prev !== 0 && prev - prev === 0 ? 0 : prev === 0 ? 0 : e / prev - 1;
      r[t - 1] = x;
      sum += x;
      if (x < 0) down += x * x;
    }
    prev = e;
    if (e > peak) {
      peak = e;
      floor = drawdownFloor(peak, worst);
    }
    if (peak > 0 && !(e > floor)) {
      const dd = 1 - e / peak;
      if (dd > worst) {
        worst = dd;
        floor = drawdownFloor(peak, worst);
      }
    }
  }
  const m = Math.max(0, n - 1);
  let sharpe: number | null = null;
  if (m >= 2) {
    const mean = sum / m;
    let ss = 0;
    for (let i = 0; i < m; i++) {
      const d = (r[i] as number) - mean;
      ss += d * d;
    }
    const sd = Math.sqrt(ss / (m - 1));
    if (sd !== 0 && Number.isFinite(sd)) sharpe = (mean / sd) * Math.sqrt(bpy);
  }
  const sortino = m >= 1 && down !== 0 ? (sum / m / Math.sqrt(down / m)) * Math.sqrt(bpy) : null;
  return { sharpe, sortino, maxDrawdown: worst };
}

/** An equity level above which the drawdown from `peak` stays <= `worst`; Infinity (never skip) when unsure. */
function drawdownFloor(peak: number, worst: number): number {
  const base = peak * (1 - worst);
  return base > 0 && base < Infinity ? base * (1 + 1e-9) : Infinity;
}

/**
 * ISO 8601 texts of bar times, made once per timestamp and shared by every trade of every
 * strategy on the same column (`new Date(ms).toISOString()` per trade time dominated result
 * building). Keyed by the column's storage, so the views of a range (walk-forward runs) share
 * the whole column's texts; each entry remembers its ms, so changed values never serve a stale text.
 */
const isoTexts = new WeakMap<ArrayBufferLike, { ms: Float64Array; text: string[] }>();

function isoAt(tsMs: Float64Array, i: number): string {
  let c = isoTexts.get(tsMs.buffer);
  if (c === undefined) {
    const slots = tsMs.buffer.byteLength >> 3;
    c = { ms: new Float64Array(slots).fill(NaN), text: new Array<string>(slots).fill('') };
    isoTexts.set(tsMs.buffer, c);
  }
  const at = (tsMs.byteOffset >> 3) + i;
  const ms = tsMs[i] as number;
  if (c.ms[at] === ms) return c.text[at] as string;
  const text = new Date(ms).toISOString();
  c.ms[at] = ms;
  c.text[at] = text;
  return text;
}

/**
 * Turns a run into the result JSON. `trades: false` leaves the trade list empty (the metrics
 * still count every trade): for a caller that keeps the trades of only some results, and builds
 * those with tradesJson() while the run's storage is still its own.
 */
export function toResult(doc: StrategyDocument, run: BacktestRun, settings: BacktestSettings, opts: { trades?: boolean } = {}): BacktestResult {
  const { tsMs, sleeves } = run;
  const n = tsMs.length;
  const bpy = barsPerYear(doc.timeframe);
  const k = sleeves.length;
  const sleeveCapital = settings.capital / k;
  const exposures = sleeves.map((s) => s.exposedBars / n);
  const exposure = exposures.reduce((a, b) => a + b, 0) / k;
  const metrics = computeMetrics(tsMs, run.equity, run.trades, settings.capital, exposure, bpy);
  const perSymbol: Record<string, Metrics> = {};
  if (k === 1) {
    // One sleeve: its curve, trades, capital and exposure are the strategy's own, so are its metrics.
    perSymbol[doc.symbols[0] as string] = { ...metrics, monthlyReturns: { ...metrics.monthlyReturns } };
  } else {
    sleeves.forEach((s, i) => {
      perSymbol[doc.symbols[i] as string] = computeMetrics(tsMs, s.equity, s.trades, sleeveCapital, exposures[i] as number, bpy);
    });
  }
  const trades = opts.trades === false ? [] : tradesJson(doc, run);
  return {
    strategy: doc.name,
    timeframe: doc.timeframe,
    settings: { capital: settings.capital, fee: settings.fee, slippage: settings.slippage },
    bars: n,
    from: isoAt(tsMs, 0),
    to: isoAt(tsMs, n - 1),
    metrics,
    perSymbol,
    trades,
  };
}

/** A run's trades as the result JSON lists them (times as ISO text, symbols by name). */
export function tradesJson(doc: StrategyDocument, run: BacktestRun): TradeJson[] {
  const { tsMs } = run;
  const trades: TradeJson[] = new Array(run.trades.length);
  for (let i = 0; i < run.trades.length; i++) {
    const t = run.trades[i] as Trade;
    trades[i] = {
      symbol: doc.symbols[t.symbolIndex] as string,
      side: t.side,
      entryTime: isoAt(tsMs, t.entryIndex),
      entryPrice: t.entryPrice,
      exitTime: isoAt(tsMs, t.exitIndex),
      exitPrice: t.exitPrice,
      qty: t.qty,
      fees: t.fees,
      pnl: t.pnl,
      reason: t.reason,
    };
  }
  return trades;
}

/**
 * Backtest a validated strategy over series at its timeframe: simulate, then the result JSON.
 * The run's equity curves live in reused storage (the result holds none of them).
 */
export function backtest(
  doc: StrategyDocument,
  series: readonly CandleSeries[],
  settings: BacktestSettings,
  cache: IndicatorCache = new IndicatorCache(),
): BacktestResult {
  return toResult(doc, runRanges(doc, series, settings, cache, [scratch], [undefined])[0] as BacktestRun, settings);
}
