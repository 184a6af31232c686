/** Helper for profiling: runs the benchmark's in-process engine batch N times (node --cpu-prof bench/lib/profile-batch.mjs [N] [simulate|backtest]). */
import { DEFAULT_SETTINGS, IndicatorCache, backtest, createRng, parseStrategy, randomStrategy, simulate } from '@mastertrade/core';
import { openCandleDirectory } from '@mastertrade/market-data';

const reps = Number(process.argv[2] ?? 3);
const mode = process.argv[3] ?? 'backtest';
const data = openCandleDirectory('embedded');
const rng = createRng(20240601);
const docs = Array.from({ length: 1000 }, () => parseStrategy(randomStrategy(rng, { symbols: ['BTCUSDT', 'ETHUSDT'] })));
const series = docs.map((d) => d.symbols.map((s) => data.series(s, d.timeframe)));
const run = mode === 'simulate' ? simulate : backtest;
for (let r = 0; r < reps; r++) {
  const cache = new IndicatorCache();
  const t0 = performance.now();
  for (let i = 0; i < docs.length; i++) run(docs[i], series[i], DEFAULT_SETTINGS, cache);
  console.log(`${mode} batch ${(performance.now() - t0).toFixed(0)} ms, cache hits ${cache.hits} misses ${cache.misses} ${(cache.bytes / 1e6).toFixed(0)} MB`);
}
