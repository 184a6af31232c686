import { DEFAULT_FILTERS, DEFAULT_SETTINGS, IndicatorCache, passesFilters } from '@mastertrade/core';
import { openCandleDirectory } from '@mastertrade/market-data';
import { describe, expect, it } from 'vitest';
import { noiseStrategies } from '../src/noise.js';
import { judge } from '../src/selection.js';
import { validateStrategy, walkForwardPlan } from '../src/validation.js';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'];

/**
 * Strategies of pure noise (random entries, random stops) on the embedded data: the raw
 * filter (Sharpe > 0.5, ...) lets some through by luck; the honest selection (out-of-sample
 * check + deflated Sharpe over all trials) promotes (almost) none.
 */
describe('selection on pure noise', () => {
  it('raw Sharpe passes some noise strategies; the deflated Sharpe and out-of-sample gates promote at most one', () => {
    const data = openCandleDirectory('embedded');
    const cache = new IndicatorCache();
    const plan = walkForwardPlan(data.series('BTCUSDT', '5m'), 2 / 3, 3);
    const docs = noiseStrategies(200, 20261125, SYMBOLS);
    const items = docs.map((doc, i) => {
      const v = validateStrategy(doc, doc.symbols.map((s) => data.series(s, doc.timeframe)), {
        settings: DEFAULT_SETTINGS,
        filters: DEFAULT_FILTERS,
        oosFilters: { minSharpe: 0, minReturn: -0.05, minTrades: 5 },
        fitness: 'robust_sharpe',
        plan,
        cache,
      });
      return {
        hash: String(i),
        score: v.isScore,
        passed: passesFilters(v.inSample.metrics, DEFAULT_FILTERS),
        metrics: v.inSample.metrics,
        oosPassed: v.oosPassed,
        oosFailures: v.oosFailures,
        gridMoments: v.gridMoments,
        gridReturns: v.gridReturns,
      };
    });
    const rawPasses = items.filter((i) => i.passed).length;
    const report = judge(items, { maxPromoted: 20, minTrades: 10, minDsr: 0.95, requireOos: true });
    console.info(`noise: ${items.length} strategies, raw filter passes ${rawPasses}, honest candidates ${report.candidates.length}, PBO ${report.pbo?.pbo.toFixed(3)}`);
    expect(rawPasses, 'the raw filter lets some luck through').toBeGreaterThan(0);
    expect(report.candidates.length, 'the honest gates promote (almost) no noise').toBeLessThanOrEqual(1);
  }, 120_000);
});
