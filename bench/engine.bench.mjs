#!/usr/bin/env node
/**
 * Engine speed and memory benchmark (`npm run bench:engine`, which builds first).
 *
 *   1. engine bar-steps/s in process over 1,000 random strategies, indicators included;
 *   2. the same for a hand-written single-strategy loop (the physical-limit baseline), and the ratio;
 *   3. the whole `mastertrade backtest --strategies` process: wall time and peak RSS at 250 and
 *      1,000 strategies x 2 symbols;
 *   4. our RSI/EMA/BB/ATR against technicalindicators on the same candles.
 *
 * Plain Node ESM over the built packages; never part of `npm test`.
 * Options: --reps N (engine and baseline batches timed, alternately; default 5), --skip-cli, --skip-indicators.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  DEFAULT_SETTINGS,
  IndicatorCache,
  backtest,
  createRng,
  parseStrategy,
  randomStrategy,
  simulate,
} from '@mastertrade/core';
import { openCandleDirectory } from '@mastertrade/market-data';
import { baselineRun } from './lib/baseline.mjs';
import { hasGnuTime, runCli } from './lib/cli-process.mjs';
import { compareIndicators } from './lib/indicators.mjs';
import { median, ms, si, timeReps } from './lib/stats.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'packages/cli/bin/mastertrade.js');
const SEED = 20240601;
const N_STRATEGIES = 1000;
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'];

const { values: opts } = parseArgs({
  options: {
    reps: { type: 'string', default: '5' },
    'skip-cli': { type: 'boolean', default: false },
    'skip-indicators': { type: 'boolean', default: false },
  },
});
const REPS = Number(opts.reps);
/** As the CLI's batch cache (packages/cli/src/commands/backtest.ts). */
const CACHE_BYTES = Number(process.env.BENCH_CACHE_MB ?? 64) * 1024 * 1024;
const settings = { ...DEFAULT_SETTINGS };

const line = (s = '') => process.stdout.write(`${s}\n`);

// ---------------------------------------------------------------- data and strategies
const data = openCandleDirectory('embedded');
const docs = [];
{
  const rng = createRng(SEED);
  for (let i = 0; i < N_STRATEGIES; i++) docs.push(parseStrategy(randomStrategy(rng, { symbols: SYMBOLS })));
}
// Parsing and resampling happen here, once, outside every timed region.
const docSeries = docs.map((d) => d.symbols.map((s) => data.series(s, d.timeframe)));
let barSteps = 0;
const byTf = {};
for (let i = 0; i < docs.length; i++) {
  const d = docs[i];
  barSteps += docSeries[i][0].close.length * d.symbols.length;
  byTf[d.timeframe] = (byTf[d.timeframe] ?? 0) + 1;
}
const btc5m = data.series('BTCUSDT', '5m');

line('MasterTrade Strategy Lab: engine benchmark');
line(`node ${process.version}, ${process.platform} ${process.arch}, ${cpus()[0]?.model ?? '?'} x${cpus().length}; load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
line(
  `data: embedded Bybit 5m, ${btc5m.close.length} bars per symbol (${new Date(btc5m.tsMs[0]).toISOString().slice(0, 10)} .. ${new Date(btc5m.tsMs[btc5m.close.length - 1]).toISOString().slice(0, 10)})`,
);
line(
  `strategies: ${N_STRATEGIES} x randomStrategy(createRng(${SEED}), {symbols: [${SYMBOLS.join(', ')}]}) -> ` +
    `${Object.entries(byTf)
      .map(([tf, c]) => `${c} x ${tf}`)
      .join(', ')}; ${docs.reduce((a, d) => a + d.symbols.length, 0)} sleeves`,
);
line(`bar-steps per batch: ${barSteps} (a bar-step = one bar of the strategy's timeframe for one of its symbols)`);
line();

// ---------------------------------------------------------------- 1-3. engine vs baseline, in process
// One cache for the engine batches, cleared before each: every column is computed again in
// every batch, in storage the process already holds (as a long-running worker's would be).
const engineCache = new IndicatorCache(CACHE_BYTES, { reuse: true });
function engineBatch(cache = engineCache) {
  cache.clear();
  let check = 0;
  let trades = 0;
  for (let i = 0; i < docs.length; i++) {
    const r = backtest(docs[i], docSeries[i], settings, cache);
    check += r.metrics.totalReturn;
    trades += r.trades.length;
  }
  return { check, trades };
}
function simulateBatch() {
  const cache = engineCache;
  cache.clear();
  let trades = 0;
  for (let i = 0; i < docs.length; i++) trades += simulate(docs[i], docSeries[i], settings, cache).trades.length;
  return trades;
}
function stringifyBatch() {
  const cache = engineCache;
  cache.clear();
  let bytes = 0;
  for (let i = 0; i < docs.length; i++) bytes += JSON.stringify(backtest(docs[i], docSeries[i], settings, cache)).length + 1;
  return bytes;
}
// The baseline batch covers about as many bar-steps as the engine batch, so both take about as
// long and meet the same machine load; their repetitions alternate.
const RUNS = Math.max(1, Math.round(barSteps / btc5m.close.length));
let baseOut;
function baselineBatch() {
  for (let k = 0; k < RUNS; k++) baseOut = baselineRun(btc5m.open, btc5m.low, btc5m.close, settings);
}
const baseSteps = RUNS * btc5m.close.length;

/** Wall and process CPU time (user + system, all threads) of one call, in ms. */
function timed(fn) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

const { check, trades } = engineBatch(); // warm-up (and the checksums)
for (let k = 0; k < 3; k++) baselineBatch();
const eng = [];
const base = [];
for (let r = 0; r < REPS; r++) {
  eng.push(timed(engineBatch));
  base.push(timed(baselineBatch));
}
const med = (xs, f) => median(xs.map(f));
const min = (xs, f) => Math.min(...xs.map(f));
const engineMs = med(eng, (x) => x.wall);
const baseMs = med(base, (x) => x.wall);
const engineRate = barSteps / (engineMs / 1000);
const baseRate = baseSteps / (baseMs / 1000);
const rate = (steps, ms) => steps / (ms / 1000);
const walls = (xs) => `(${xs.map((x) => x.wall.toFixed(0)).join(', ')} ms)`;

line('1. Engine, in process');
line('   counted: backtest(doc, series, settings, cache) for every strategy = indicator columns + simulation +');
line('   metrics + building the result object (trades with ISO times). The IndicatorCache (64 MB, reuse, as the');
line('   CLI) is cleared before each batch, so every column is computed again, once per batch, shared by the');
line('   batch; its storage stays with the process. Not counted: CSV parsing, resampling and strategy');
line('   validation (done before), JSON.stringify (shown separately below).');
line(`   batch of ${barSteps} bar-steps: ${ms(engineMs)} median of ${REPS} after warm-up ${walls(eng)}; ${trades} trades, sum of total returns ${check.toFixed(6)}`);
line(`   engine: ${si(engineRate)} bar-steps/s`);
line();
line('2. Baseline: hand-written single-strategy loop (physical limit)');
line('   BTCUSDT 5m Float64Array columns; RSI(14) Wilder inline; long entry RSI<30, exit RSI>55; stop 3%;');
line(`   fee ${settings.fee} and slippage ${settings.slippage} on every fill; next-open fills; equity marked each close;`);
line('   running Sharpe sums. One run = one pass over the bars = that many bar-steps.');
line(
  `   batch of ${RUNS} runs = ${baseSteps} bar-steps: ${ms(baseMs)} median of ${REPS} after warm-up ${walls(base)}; ` +
    `per run ${baseOut.trades} trades, sharpe ${baseOut.sharpe.toFixed(3)}, final equity ${baseOut.equity.toFixed(2)}`,
);
line(`   baseline: ${si(baseRate)} bar-steps/s`);
line();
const ratio = engineRate / baseRate;
line(`3. Ratio engine / baseline: ${ratio.toFixed(3)}  (goal >= 0.25: ${ratio >= 0.25 ? 'met' : 'NOT met'})`);
line('   (engine and baseline batches alternate, so both meet the same load; on a busy machine also see:)');
const cpuRatio = rate(barSteps, med(eng, (x) => x.cpu)) / rate(baseSteps, med(base, (x) => x.cpu));
const minRatio = rate(barSteps, min(eng, (x) => x.wall)) / rate(baseSteps, min(base, (x) => x.wall));
line(
  `   by process CPU time: engine ${si(rate(barSteps, med(eng, (x) => x.cpu)))}, baseline ${si(rate(baseSteps, med(base, (x) => x.cpu)))} bar-steps/s, ratio ${cpuRatio.toFixed(3)};` +
    ` fastest batches: ratio ${minRatio.toFixed(3)}`,
);
const simMs = median(timeReps(simulateBatch, { warmup: 0, reps: 3 }));
const strMs = median(timeReps(stringifyBatch, { warmup: 0, reps: 3 }));
const newMs = median(timeReps(() => engineBatch(new IndicatorCache(CACHE_BYTES, { reuse: true })), { warmup: 0, reps: 3 }));
line(`   engine breakdown (median of 3): simulate() only (indicators + simulation) ${ms(simMs)} = ${si(barSteps / (simMs / 1000))} bar-steps/s;`);
line(`   backtest() + JSON.stringify of each result ${ms(strMs)} = ${si(barSteps / (strMs / 1000))} bar-steps/s;`);
line(`   backtest() with a brand-new cache per batch (its memory touched for the first time) ${ms(newMs)} = ${si(barSteps / (newMs / 1000))} bar-steps/s`);
line();

// ---------------------------------------------------------------- 3. CLI process
if (!opts['skip-cli']) {
  line(`4. Whole CLI process: node packages/cli/bin/mastertrade.js backtest --strategies FILE.jsonl --json > /dev/null`);
  line(`   (embedded data; the first N of the same strategies; peak RSS ${hasGnuTime() ? 'from /usr/bin/time %M' : 'by polling /proc/<pid>/status VmHWM'}; median of 3 runs)`);
  const tmp = mkdtempSync(join(tmpdir(), 'mastertrade-bench-'));
  try {
    const results = {};
    for (const n of [250, N_STRATEGIES]) {
      const file = join(tmp, `strategies-${n}.jsonl`);
      writeFileSync(file, `${docs
        .slice(0, n)
        .map((d) => JSON.stringify(d))
        .join('\n')}\n`);
      const runs = [];
      for (let r = 0; r < 3; r++) {
        const res = await runCli([CLI, 'backtest', '--strategies', file, '--json'], { tmpDir: tmp, cwd: ROOT });
        if (res.code !== 0) throw new Error(`CLI exited ${res.code}: ${res.stderr}`);
        runs.push(res);
      }
      const wall = median(runs.map((r) => r.wallMs));
      const rss = median(runs.map((r) => r.peakRssKb));
      results[n] = { wall, rss };
      line(
        `   ${String(n).padStart(5)} strategies: wall ${(wall / 1000).toFixed(2)} s (runs ${runs.map((r) => (r.wallMs / 1000).toFixed(2)).join(', ')}), ` +
          `peak RSS ${(rss / 1024).toFixed(1)} MB`,
      );
    }
    const big = results[N_STRATEGIES];
    line(`   1000-strategy wall ${(big.wall / 1000).toFixed(2)} s (target < 3 s: ${big.wall < 3000 ? 'met' : 'NOT met'})`);
    line(`   peak RSS 1000 / 250 strategies: ${(big.rss / results[250].rss).toFixed(2)} (flat = 1.00)`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  line();
}

// ---------------------------------------------------------------- 4. indicators
if (!opts['skip-indicators']) {
  line(`5. Indicators on BTCUSDT 5m close/high/low (${btc5m.close.length} bars): ours (Float64Array) vs technicalindicators (number[])`);
  line('   values/s = bars / seconds per call, median of 7 samples after warm-up; max|diff| over values both define');
  for (const r of compareIndicators(btc5m)) {
    line(
      `   ${r.name.padEnd(9)} ours ${si(r.oursPerSec).padStart(10)} values/s   technicalindicators ${si(r.theirsPerSec).padStart(10)} values/s   ` +
        `ours/theirs ${r.ratio.toFixed(1).padStart(6)}x   max|diff| ${r.maxDiff.toExponential(1)}`,
    );
  }
}
line();
line(`load average at end ${loadavg().map((x) => x.toFixed(2)).join(' ')} (other work on this machine slows every figure above)`);
