import {
  DEFAULT_FILTERS,
  DEFAULT_SETTINGS,
  IndicatorCache,
  allocSeries,
  createRng,
  parseStrategy,
  randomStrategy,
  resample,
  timeframeMs,
  type CandleSeries,
  type Timeframe,
} from '@mastertrade/core';
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
 * Runs `count` random strategies through the walk-forward validation on synthetic candles, so
 * the engine's code is compiled before the first real batch (a cold thread runs its first batch
 * several times slower). Touches no database and no shared state; returns the strategies run.
 */
export function warmUpEngine(count = 40, bars = 4_000): number {
  const symbols = ['WARMA', 'WARMB'];
  const base = symbols.map((sym, i) => syntheticSeries(sym, bars, 7 + i));
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
  const cache = new IndicatorCache(32 * 1024 * 1024, { reuse: true });
  const rng = createRng(20261125);
  for (let i = 0; i < count; i++) {
    const doc = parseStrategy(randomStrategy(rng, { symbols, maxPeriod: 50 }));
    validateStrategy(
      doc,
      doc.symbols.map((s) => seriesOf(symbols.indexOf(s), doc.timeframe)),
      { settings: DEFAULT_SETTINGS, filters: DEFAULT_FILTERS, oosFilters: DEFAULT_OOS_FILTERS, fitness: 'robust_sharpe', plan, cache, reuseStorage: true },
    );
  }
  return count;
}
