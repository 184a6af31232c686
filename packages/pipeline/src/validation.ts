import {
  FITNESS_FUNCTIONS,
  barReturns,
  filterFailures,
  passesFilters,
  returnMoments,
  simulateRanges,
  toResult,
  computeMetrics,
  barsPerYear,
  timeframeMs,
  type BacktestResult,
  type BacktestRun,
  type BacktestSettings,
  type CandleSeries,
  type FitnessName,
  type Filters,
  type IndicatorCache,
  type Metrics,
  type ReturnMoments,
  type StrategyDocument,
} from '@mastertrade/core';

/** The common grid every strategy's returns are sampled on for PBO and the DSR (4 h: a multiple of every timeframe). */
export const GRID_MS = 4 * 3600_000;

export interface OosFilters {
  minSharpe: number;
  minReturn: number;
  minTrades: number;
}

export const DEFAULT_OOS_FILTERS: Readonly<OosFilters> = Object.freeze({ minSharpe: 0, minReturn: -0.05, minTrades: 5 });

export interface WalkForwardPlan {
  /** Bar open time where the out-of-sample part starts (ms). */
  splitMs: number;
  /** First bar open time of the dataset (ms), where the grid starts. */
  startMs: number;
  /** Consecutive in-sample folds for the walk-forward score. */
  folds: number;
}

export interface FoldSummary {
  from: string;
  to: string;
  trades: number;
  totalReturn: number;
  sharpe: number | null;
  fitness: number;
}

export interface StrategyValidation {
  /** The in-sample result: the one the filters, the GA and the patterns see. */
  inSample: BacktestResult;
  inSampleRun: BacktestRun;
  /** mean(fold fitness) and the worst fold, averaged: an edge from one week ranks low. */
  isScore: number;
  folds: FoldSummary[];
  outOfSample: Metrics | null;
  oosPassed: boolean;
  oosFailures: string[];
  /** 4-hourly returns of the in-sample equity (common grid for PBO and the DSR). */
  gridReturns: Float64Array;
  gridMoments: ReturnMoments;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The cycle-wide split from the dataset's base series: the in-sample part is the first
 * `fraction` of its time span, rounded down to a 4-hour boundary so every timeframe's bars
 * fall wholly on one side.
 */
export function walkForwardPlan(base: CandleSeries, fraction: number, folds: number): WalkForwardPlan {
  const startMs = base.tsMs[0] as number;
  const endMs = (base.tsMs[base.tsMs.length - 1] as number) + base.stepMs;
  const splitMs = Math.floor((startMs + fraction * (endMs - startMs)) / GRID_MS) * GRID_MS;
  return { startMs, splitMs, folds };
}

/** First index with tsMs >= ms (binary search). */
function indexAt(tsMs: Float64Array, ms: number): number {
  let lo = 0;
  let hi = tsMs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((tsMs[mid] as number) < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Walk-forward validation of one strategy on one dataset: in-sample = bars before the split,
 * out-of-sample = bars from the split on (indicators warmed up on the earlier bars, positions
 * opened only inside each range), K in-sample folds for the score, and the in-sample equity on
 * the common 4-hour grid.
 */
export function validateStrategy(
  doc: StrategyDocument,
  series: readonly CandleSeries[],
  o: {
    settings: BacktestSettings;
    filters: Filters;
    oosFilters: OosFilters;
    fitness: FitnessName;
    plan: WalkForwardPlan;
    cache: IndicatorCache;
    /** The runs' curves (inSampleRun's included) in storage the next call reuses: copy what must outlive it. */
    reuseStorage?: boolean;
    /** false: `inSample.trades` is left empty (tradesJson(doc, inSampleRun) makes it while the storage lasts). */
    inSampleTrades?: boolean;
  },
): StrategyValidation {
  const first = series[0] as CandleSeries;
  const n = first.tsMs.length;
  const split = indexAt(first.tsMs, o.plan.splitMs);
  const fitnessOf = FITNESS_FUNCTIONS[o.fitness];
  // In-sample, the K folds inside it, and out-of-sample: one set of signal masks serves them all.
  const k = Math.max(1, o.plan.folds);
  const foldRanges: { from: number; to: number }[] = [];
  for (let f = 0; f < k; f++) {
    const from = Math.floor((f * split) / k);
    const to = Math.floor(((f + 1) * split) / k);
    if (to - from >= 2) foldRanges.push({ from, to });
  }
  const hasOos = n - split >= 2;
  const runs = simulateRanges(doc, series, o.settings, o.cache, [{ from: 0, to: split }, ...foldRanges, ...(hasOos ? [{ from: split, to: n }] : [])], { reuse: o.reuseStorage ?? false });
  const inSampleRun = runs[0] as BacktestRun;
  const inSample = toResult(doc, inSampleRun, o.settings, { trades: o.inSampleTrades ?? true });

  const folds: FoldSummary[] = foldRanges.map(({ from, to }, f) => {
    const m = metricsOf(doc, runs[1 + f] as BacktestRun, o.settings);
    return { from: iso(first.tsMs[from] as number), to: iso(first.tsMs[to - 1] as number), trades: m.trades, totalReturn: m.totalReturn, sharpe: m.sharpe, fitness: fitnessOf(m) };
  });
  const fits = folds.map((f) => f.fitness);
  const isScore = fits.length ? (fits.reduce((a, b) => a + b, 0) / fits.length + Math.min(...fits)) / 2 : fitnessOf(inSample.metrics);

  let outOfSample: Metrics | null = null;
  let oosFailures = ['no out-of-sample bars'];
  if (hasOos) {
    outOfSample = metricsOf(doc, runs[1 + foldRanges.length] as BacktestRun, o.settings);
    oosFailures = oosFailuresOf(outOfSample, o.oosFilters);
  }
  const gridReturns = gridReturnsOf(inSampleRun, first.stepMs, o.plan.startMs, o.plan.splitMs, o.settings.capital);
  return { inSample, inSampleRun, isScore, folds, outOfSample, oosPassed: oosFailures.length === 0, oosFailures, gridReturns, gridMoments: returnMoments(gridReturns) };
}

function metricsOf(doc: StrategyDocument, run: BacktestRun, settings: BacktestSettings): Metrics {
  const exposure = run.sleeves.reduce((a, s) => a + s.exposedBars, 0) / (run.sleeves.length * run.tsMs.length);
  return computeMetrics(run.tsMs, run.equity, run.trades, settings.capital, exposure, barsPerYear(doc.timeframe));
}

export function oosFailuresOf(m: Metrics, f: OosFilters): string[] {
  const out: string[] = [];
  if (m.sharpe === null || !(m.sharpe > f.minSharpe)) out.push(`out-of-sample sharpe ${m.sharpe === null ? 'undefined' : m.sharpe.toFixed(3)} <= ${f.minSharpe}`);
  if (!(m.totalReturn > f.minReturn)) out.push(`out-of-sample return ${(m.totalReturn * 100).toFixed(2)}% <= ${(f.minReturn * 100).toFixed(2)}%`);
  if (m.trades < f.minTrades) out.push(`${m.trades} out-of-sample trades < ${f.minTrades}`);
  return out;
}

/**
 * Equity at every 4-hour boundary from the dataset's first full 4-hour bar to the split
 * (capital before the strategy's first bar), as returns. Every timeframe's bars close on those
 * boundaries, so all strategies of a cycle share the grid.
 */
export function gridReturnsOf(run: BacktestRun, stepMs: number, startMs: number, splitMs: number, capital: number): Float64Array {
  const g0 = Math.ceil(startMs / GRID_MS) * GRID_MS + GRID_MS;
  const points = Math.max(0, Math.floor((splitMs - g0) / GRID_MS) + 1);
  const eq = new Float64Array(points);
  let i = 0;
  const ts = run.tsMs;
  let last = capital;
  for (let p = 0; p < points; p++) {
    const closeAt = g0 + p * GRID_MS;
    while (i < ts.length && (ts[i] as number) + stepMs <= closeAt) {
      last = run.equity[i] as number;
      i++;
    }
    eq[p] = last;
  }
  return barReturns(eq);
}

