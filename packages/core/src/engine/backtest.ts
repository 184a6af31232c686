import { DataError, type CandleSeries } from '../candles/series.js';
import { barsPerYear } from '../candles/timeframe.js';
import type { StrategyDocument } from '../genome/schema.js';
import { barReturns, maxDrawdown, monthlyReturns, sharpeRatio, sortinoRatio, tradeStats } from '../metrics/index.js';
import { IndicatorCache } from './indicator-cache.js';
import { compileRules } from './rules.js';
import { runSleeve, type SleeveRun } from './sleeve.js';
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
 * Runs a strategy over series already at its timeframe, one per symbol in `doc.symbols` order,
 * sharing timestamps. Pure and deterministic: the same inputs give the same numbers.
 */
export function simulate(
  doc: StrategyDocument,
  series: readonly CandleSeries[],
  settings: BacktestSettings,
  cache: IndicatorCache = new IndicatorCache(),
): BacktestRun {
  if (series.length !== doc.symbols.length) throw new Error('simulate: one series per symbol is required');
  const first = series[0] as CandleSeries;
  const n = first.tsMs.length;
  if (n === 0) throw new DataError('empty', first.symbol, doc.timeframe, null, 'no complete bars at this timeframe');
  for (const s of series) assertSameTimestamps(first, s, doc.timeframe);
  const sleeveCapital = settings.capital / series.length;
  const sleeves = series.map((s, i) => runSleeve(s, i, doc, compileRules(doc, s, cache), sleeveCapital, settings));
  const equity = new Float64Array(n);
  for (const sl of sleeves) for (let t = 0; t < n; t++) equity[t] = (equity[t] as number) + (sl.equity[t] as number);
  const trades = sleeves.flatMap((s) => s.trades);
  trades.sort((x, y) => x.exitIndex - y.exitIndex || x.symbolIndex - y.symbolIndex || x.entryIndex - y.entryIndex);
  return { tsMs: first.tsMs, equity, sleeves, trades };
}

function assertSameTimestamps(a: CandleSeries, b: CandleSeries, timeframe: string): void {
  if (a === b) return;
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
  const returns = barReturns(equity);
  const last = equity[equity.length - 1] as number;
  return {
    totalReturn: last / capital - 1,
    sharpe: sharpeRatio(returns, bpy),
    sortino: sortinoRatio(returns, bpy),
    maxDrawdown: maxDrawdown(equity),
    ...tradeStats(trades.map((t) => t.pnl)),
    exposure,
    monthlyReturns: monthlyReturns(tsMs, equity, capital),
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Turns a run into the result JSON. */
export function toResult(doc: StrategyDocument, run: BacktestRun, settings: BacktestSettings): BacktestResult {
  const { tsMs, sleeves } = run;
  const n = tsMs.length;
  const bpy = barsPerYear(doc.timeframe);
  const k = sleeves.length;
  const sleeveCapital = settings.capital / k;
  const exposures = sleeves.map((s) => s.exposedBars / n);
  const perSymbol: Record<string, Metrics> = {};
  sleeves.forEach((s, i) => {
    perSymbol[doc.symbols[i] as string] = computeMetrics(tsMs, s.equity, s.trades, sleeveCapital, exposures[i] as number, bpy);
  });
  const exposure = exposures.reduce((a, b) => a + b, 0) / k;
  return {
    strategy: doc.name,
    timeframe: doc.timeframe,
    settings: { capital: settings.capital, fee: settings.fee, slippage: settings.slippage },
    bars: n,
    from: iso(tsMs[0] as number),
    to: iso(tsMs[n - 1] as number),
    metrics: computeMetrics(tsMs, run.equity, run.trades, settings.capital, exposure, bpy),
    perSymbol,
    trades: run.trades.map(
      (t): TradeJson => ({
        symbol: doc.symbols[t.symbolIndex] as string,
        side: t.side,
        entryTime: iso(tsMs[t.entryIndex] as number),
        entryPrice: t.entryPrice,
        exitTime: iso(tsMs[t.exitIndex] as number),
        exitPrice: t.exitPrice,
        qty: t.qty,
        fees: t.fees,
        pnl: t.pnl,
        reason: t.reason,
      }),
    ),
  };
}

/** Backtest a validated strategy over series at its timeframe: simulate, then the result JSON. */
export function backtest(
  doc: StrategyDocument,
  series: readonly CandleSeries[],
  settings: BacktestSettings,
  cache?: IndicatorCache,
): BacktestResult {
  return toResult(doc, simulate(doc, series, settings, cache), settings);
}
