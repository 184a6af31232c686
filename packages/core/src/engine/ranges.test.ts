import { describe, expect, it } from 'vitest';
import { resample } from '../candles/resample.js';
import { timeframeMs } from '../candles/timeframe.js';
import { randomStrategy } from '../genome/random.js';
import { parseStrategy } from '../genome/validate.js';
import { createRng } from '../util/rng.js';
import { realSeries5m } from '../fixtures/real-data.js';
import { simulate, simulateRanges, toResult, tradesJson, type BacktestRun } from './backtest.js';
import { IndicatorCache } from './indicator-cache.js';
import { DEFAULT_SETTINGS } from './types.js';

const SETTINGS = { ...DEFAULT_SETTINGS };

/** Everything a run says, as plain data (the equity curve as numbers). */
const plain = (r: BacktestRun) => ({ ts: [...r.tsMs], equity: [...r.equity], trades: r.trades, exposed: r.sleeves.map((s) => s.exposedBars) });

describe('simulateRanges', () => {
  it('gives for every range exactly what simulate() gives for it alone (masks computed once, shared by the ranges)', () => {
    const rng = createRng(424242);
    let trades = 0;
    for (let i = 0; i < 30; i++) {
      const doc = parseStrategy(randomStrategy(rng, { symbols: ['BTCUSDT', 'ETHUSDT'] }));
      const series = doc.symbols.map((s) => resample(realSeries5m(s as 'BTCUSDT'), doc.timeframe, timeframeMs(doc.timeframe)));
      const n = (series[0] as { tsMs: Float64Array }).tsMs.length;
      const split = Math.floor((2 * n) / 3);
      const ranges = [{ from: 0, to: split }, { from: 0, to: Math.floor(split / 3) }, { from: Math.floor(split / 3), to: split }, { from: split, to: n }, { from: split, to: n, signalDelay: 1 }, undefined];
      const together = simulateRanges(doc, series, SETTINGS, new IndicatorCache(), ranges);
      expect(together).toHaveLength(ranges.length);
      ranges.forEach((range, r) => {
        const alone = simulate(doc, series, SETTINGS, new IndicatorCache(), range);
        expect(plain(together[r] as BacktestRun), `strategy ${i}, range ${r}`).toEqual(plain(alone));
      });
      // The full-range run is the backtest's own.
      const full = toResult(doc, together[5] as BacktestRun, SETTINGS);
      expect(full.metrics).toEqual(toResult(doc, simulate(doc, series, SETTINGS), SETTINGS).metrics);
      // Without its trade list a result says the same; tradesJson makes that list on its own.
      expect(toResult(doc, together[5] as BacktestRun, SETTINGS, { trades: false })).toEqual({ ...full, trades: [] });
      expect(tradesJson(doc, together[5] as BacktestRun)).toEqual(full.trades);
      trades += together.reduce((a, run) => a + run.trades.length, 0);
    }
    expect(trades, 'the strategies trade, so the comparison says something').toBeGreaterThan(100);
  });
});
