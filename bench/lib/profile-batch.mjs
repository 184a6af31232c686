/**
 * Helper for profiling and A/B checks: runs the benchmark's in-process engine batch N times and
 * prints wall and process CPU time per batch (min is the least disturbed by other load).
 *   node [--cpu-prof] bench/lib/profile-batch.mjs [N=5] [backtest|simulate]
 */
import { DEFAULT_SETTINGS, IndicatorCache, backtest, createRng, parseStrategy, randomStrategy, simulate } from '@mastertrade/core';
import { openCandleDirectory } from '@mastertrade/market-data';

const reps = Number(process.argv[2] ?? 5);
const mode = process.argv[3] ?? 'backtest';
const data = openCandleDirectory('embedded');
const rng = createRng(20240601);
const docs = Array.from({ length: 1000 }, () => parseStrategy(randomStrategy(rng, { symbols: ['BTCUSDT', 'ETHUSDT'] })));
const series = docs.map((d) => d.symbols.map((s) => data.series(s, d.timeframe)));
const run = mode === 'simulate' ? simulate : backtest;
const walls = [];
const cpus = [];
for (let r = 0; r < reps; r++) {
  const cache = new IndicatorCache();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < docs.length; i++) run(docs[i], series[i], DEFAULT_SETTINGS, cache);
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1000;
  walls.push(wall);
  cpus.push(cpu);
  console.log(`${mode} batch wall ${wall.toFixed(0)} ms, cpu ${cpu.toFixed(0)} ms; cache hits ${cache.hits} misses ${cache.misses} ${(cache.bytes / 1e6).toFixed(0)} MB`);
}
console.log(`min wall ${Math.min(...walls).toFixed(0)} ms, min cpu ${Math.min(...cpus).toFixed(0)} ms`);
