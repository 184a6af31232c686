#!/usr/bin/env node
/**
 * A fixed engine workload for bench:cycle's machine ceiling: the walk-forward validation a
 * backtest batch runs (validateStrategy), for N random strategies on the embedded candles, in
 * this process, with no queue and no database. Prints {"ms": wall time} after a warm-up.
 * Usage: node bench/lib/engine-load.mjs [N]
 */
import { IndicatorCache, createRng, parseStrategy, randomStrategy } from '@mastertrade/core';
import { EMBEDDED_SYMBOLS, openCandleDirectory } from '@mastertrade/market-data';
import { defaultCycleConfig, validateStrategy, walkForwardPlan, warmUpEngine } from '@mastertrade/pipeline';

const N = Number(process.argv[2] ?? 300);
/** The cycle's own settings, filters and fitness (its defaults). */
const cfg = defaultCycleConfig({});
const symbols = [...EMBEDDED_SYMBOLS];
const dir = openCandleDirectory('embedded');
const plan = walkForwardPlan(dir.series(symbols[0], '5m'), cfg.validation.inSampleFraction, cfg.validation.folds);
const rng = createRng(20261125);
const docs = Array.from({ length: N }, () => parseStrategy(randomStrategy(rng, { symbols })));
const cache = new IndicatorCache(192 * 1024 * 1024, { reuse: true });
warmUpEngine();
const t0 = performance.now();
for (const doc of docs) {
  validateStrategy(doc, doc.symbols.map((s) => dir.series(s, doc.timeframe)), {
    settings: cfg.settings,
    filters: cfg.filters,
    oosFilters: cfg.validation.oos,
    fitness: cfg.fitness,
    plan,
    cache,
    reuseStorage: true,
  });
}
process.stdout.write(`${JSON.stringify({ ms: performance.now() - t0 })}\n`);
