import { sliceSeries, type CandleSeries } from '../candles/series.js';
import { barsPerYear } from '../candles/timeframe.js';
import { computeMetrics, simulate, type BacktestRun } from '../engine/backtest.js';
import type { IndicatorCache } from '../engine/indicator-cache.js';
import type { SimRange } from '../engine/sleeve.js';
import type { BacktestSettings, Metrics } from '../engine/types.js';
import type { StrategyDocument } from '../genome/schema.js';

export interface BiasReport {
  /** Signals, trades and equity on data truncated at the cut equal those on the full data before it. */
  lookaheadOk: boolean;
  lookaheadDetail: string | null;
  /** Headline metrics as run and with every signal acted on one bar later. */
  base: Pick<Metrics, 'sharpe' | 'totalReturn' | 'trades'>;
  delayed: Pick<Metrics, 'sharpe' | 'totalReturn' | 'trades'>;
  /** A positive edge that is gone (Sharpe or return <= 0) with one bar of delay. */
  edgeVanishes: boolean;
}

function headline(doc: StrategyDocument, run: BacktestRun, settings: BacktestSettings): Pick<Metrics, 'sharpe' | 'totalReturn' | 'trades'> {
  const exposure = run.sleeves.reduce((a, s) => a + s.exposedBars, 0) / (run.sleeves.length * run.tsMs.length);
  const m = computeMetrics(run.tsMs, run.equity, run.trades, settings.capital, exposure, barsPerYear(doc.timeframe));
  return { sharpe: m.sharpe, totalReturn: m.totalReturn, trades: m.trades };
}

/**
 * The bias gate before promotion (freqtrade's lookahead analysis, done on our engine):
 * 1. look-ahead: run on the series truncated at `cut` and on the full series; every equity value
 *    before the truncated run's last bar and every trade closed before it must be identical
 *    (the last bar differs legitimately: end of data closes positions there);
 * 2. one-bar delay: the same range with signals acted on one bar later; an edge that vanishes
 *    is flagged.
 */
export function biasGate(
  doc: StrategyDocument,
  series: readonly CandleSeries[],
  settings: BacktestSettings,
  cache: IndicatorCache,
  opts: { range?: SimRange; cutFraction?: number } = {},
): BiasReport {
  const n = (series[0] as CandleSeries).tsMs.length;
  const full = simulate(doc, series, settings, cache);
  const cut = Math.max(3, Math.floor(n * (opts.cutFraction ?? 0.8)));
  const truncated = simulate(doc, series.map((s) => sliceSeries(s, 0, cut)), settings, cache);
  let detail: string | null = null;
  for (let t = 0; t < cut - 1 && detail === null; t++) {
    if (!Object.is(full.equity[t], truncated.equity[t])) detail = `equity differs at bar ${t}: ${full.equity[t]} vs ${truncated.equity[t]} on truncated data`;
  }
  if (detail === null) {
    const closed = (r: BacktestRun) => r.trades.filter((x) => x.exitIndex < cut - 1).map((x) => `${x.symbolIndex}:${x.entryIndex}:${x.exitIndex}:${x.entryPrice}:${x.exitPrice}:${x.reason}`);
    const a = closed(full);
    const b = closed(truncated);
    const i = a.findIndex((x, k) => x !== b[k]);
    if (a.length !== b.length || i >= 0) detail = `trade ${i >= 0 ? i : Math.min(a.length, b.length)} differs on truncated data (${a[i] ?? 'none'} vs ${b[i] ?? 'none'})`;
  }
  const range = opts.range ?? {};
  const base = headline(doc, simulate(doc, series, settings, cache, range), settings);
  const delayed = headline(doc, simulate(doc, series, settings, cache, { ...range, signalDelay: 1 }), settings);
  const positive = (m: typeof base) => m.sharpe !== null && m.sharpe > 0 && m.totalReturn > 0;
  return { lookaheadOk: detail === null, lookaheadDetail: detail, base, delayed, edgeVanishes: positive(base) && !positive(delayed) };
}
