import {
  DEFAULT_FILTERS,
  DEFAULT_SETTINGS,
  IndicatorCache,
  allocSeries,
  canonicalJson,
  createRng,
  parseStrategy,
  randomStrategy,
  resample,
  timeframeMs,
  type CandleSeries,
  type Timeframe,
} from '@mastertrade/core';
import { EMBEDDED_SYMBOLS, openCandleDirectory } from '@mastertrade/market-data';
import { DEFAULT_OOS_FILTERS, validateStrategy, walkForwardPlan } from './validation.js';

const STEP_5M = 300_000;

/** A seeded random walk of 5m candles (volatile enough that random strategies trade). */
function syntheticSeries(symbol: string, bars: number, seed: number): CandleSeries {
  const rng = createRng(seed);
  const s = allocSeries(symbol, '5m', STEP_5M, bars);
  let price = 100;
  for (let i = 0; i < bars; i++) {
    const open = price;
    price *= 1 + (rng.next() - 0.5) * 0.01;
    const close = price;
    s.tsMs[i] = Date.UTC(2024, 0, 1) + i * STEP_5M;
    s.open[i] = open;
    s.close[i] = close;
    s.high[i] = Math.max(open, close) * (1 + rng.next() * 0.002);
    s.low[i] = Math.min(open, close) * (1 - rng.next() * 0.002);
    s.volume[i] = 1 + rng.next() * 100;
  }
  return s;
}

/**
 * Runs `count` random strategies through the walk-forward validation, so the engine's code is
 * compiled before the first real batch (a cold thread runs its first batch several times slower).
 *
 * By default on the embedded candles (the 90 days of the three symbols a cycle runs on), with
 * documents that made a JSON round trip as they do through PostgreSQL: the compiler then sees
 * the objects, prices and code paths a cycle brings (trades on every side, stops, long
 * timeframes), and does not throw its code away and compile it again in the first batches
 * (bench:cycle, issue 5). `synthetic` uses a seeded random walk instead (no files read).
 * Touches no database and no shared state; returns the strategies run.
 */
export function warmUpEngine(count = 120, opts: { synthetic?: boolean } = {}): number {
  const symbols = opts.synthetic ? ['WARMA', 'WARMB'] : [...EMBEDDED_SYMBOLS];
  const dir = opts.synthetic ? null : openCandleDirectory('embedded');
  const base = symbols.map((sym, i) => (dir ? dir.series(sym, '5m') : syntheticSeries(sym, 4_000, 7 + i)));
  const byTf = new Map<string, CandleSeries>();
  const seriesOf = (k: number, tf: Timeframe): CandleSeries => {
    const key = `${k}|${tf}`;
    let s = byTf.get(key);
    if (!s) {
      s = tf === '5m' ? (base[k] as CandleSeries) : resample(base[k] as CandleSeries, tf, timeframeMs(tf));
      byTf.set(key, s);
    }
    return s;
  };
  const plan = walkForwardPlan(base[0] as CandleSeries, 2 / 3, 3);
  const cache = new IndicatorCache(64 * 1024 * 1024, { reuse: true });
  const rng = createRng(20261125);
  for (let i = 0; i < count; i++) {
    const doc = parseStrategy(JSON.parse(canonicalJson(randomStrategy(rng, { symbols, ...(opts.synthetic ? { maxPeriod: 50 } : {}) }))));
    validateStrategy(
      doc,
      doc.symbols.map((s) => seriesOf(symbols.indexOf(s), doc.timeframe)),
      { settings: DEFAULT_SETTINGS, filters: DEFAULT_FILTERS, oosFilters: DEFAULT_OOS_FILTERS, fitness: 'robust_sharpe', plan, cache, reuseStorage: true },
    );
  }
  return count;
}
