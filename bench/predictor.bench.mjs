#!/usr/bin/env node
/**
 * Predictor benchmark (`npm run bench:predictor`, which builds first). On the embedded BTCUSDT
 * 1h candles (90 days, ~2,050 windows of 60 bars, 80/20 chronological split):
 *
 *   1. seconds per epoch of the small model on all windows, trained `--epochs` epochs (default 5)
 *      on the backend `auto` picks, and its validation metrics next to the two naive baselines;
 *   2. seconds per epoch of the full (seed-size) model: ONE epoch on the newest `--full-windows`
 *      windows (default 400), scaled to the whole training split (time per training window is
 *      what an epoch costs; the validation pass is included in the measured epoch);
 *   3. the same subset timings on the cpu backend, for the wasm/cpu ratio (skip: --skip-cpu).
 *
 * Plain Node ESM over the built packages; never part of `npm test`. Timings on a shared machine
 * vary with its load: the load average is printed with them.
 */
import { loadavg, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend, prepareDataset, trainPredictor } from '@mastertrade/predictor-model';
import { openCandleDirectory } from '@mastertrade/market-data';

const { values: opts } = parseArgs({
  options: {
    epochs: { type: 'string', default: '5' },
    'full-windows': { type: 'string', default: '400' },
    'cpu-windows': { type: 'string', default: '150' },
    'skip-cpu': { type: 'boolean', default: false },
    'skip-full': { type: 'boolean', default: false },
  },
});
const EPOCHS = Number(opts.epochs);
const FULL_WINDOWS = Number(opts['full-windows']);
const CPU_WINDOWS = Number(opts['cpu-windows']);
const line = (s = '') => process.stdout.write(`${s}\n`);
const f = (x, d = 4) => (x === null || x === undefined ? '—' : x.toFixed(d));
const pct = (x) => (x === null ? '—' : `${(100 * x).toFixed(1)}%`);
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

const series = openCandleDirectory('embedded').series('BTCUSDT', '1h');
const all = prepareDataset(series, { windowBars: 60, valFraction: 0.2 });
const trainWindowsAll = all.trainEnds.length;
line(`predictor benchmark: BTCUSDT 1h, ${series.close.length} bars, ${trainWindowsAll} training + ${all.valEnds.length} validation windows (60 x 20), batch 32`);
line(`machine: ${cpus().length} cores, Node ${process.version}, load average ${load()}`);

/**
 * Trains and returns seconds per training window (from the epochs' own wall timings), the CPU
 * seconds this process used per epoch (process.cpuUsage: on a loaded shared machine the wall
 * time stretches, the CPU time much less; the backends compute on one thread), and the result.
 */
async function run(label, o) {
  const t0 = performance.now();
  let cpu0 = process.cpuUsage();
  const cpuPerEpoch = [];
  const { model, meta } = await trainPredictor(series, {
    patience: 1000,
    ...o,
    onEpoch: (p) => {
      const used = process.cpuUsage(cpu0);
      cpu0 = process.cpuUsage();
      cpuPerEpoch.push((used.user + used.system) / 1e6);
      process.stderr.write(`  ${label}: epoch ${p.epoch}/${p.epochs} ${p.epochSeconds.toFixed(1)} s wall, ${cpuPerEpoch.at(-1).toFixed(1)} s cpu (loss ${p.loss.toFixed(3)}, val ${p.valLoss.toFixed(3)})\n`);
    },
  });
  model.dispose();
  const perWindow = meta.fit.secondsPerEpoch / meta.train.windows;
  // The first epoch's CPU includes building the model; the median is the steady state.
  const cpuEpoch = [...cpuPerEpoch].sort((a, b) => a - b)[Math.floor(cpuPerEpoch.length / 2)];
  const cpuPerWindow = cpuEpoch / meta.train.windows;
  return { meta, perWindow, epochAll: perWindow * trainWindowsAll, cpuPerWindow, cpuEpochAll: cpuPerWindow * trainWindowsAll, wall: (performance.now() - t0) / 1000 };
}

const backend = await initBackend('auto');
line(`backend: ${backend.name} (${backend.reason})`);
line();

// 1. small, all windows, a few epochs
const small = await run('small', { size: 'small', epochs: EPOCHS, backend: backend.name });
line(`small model (${small.meta.params.toLocaleString('en-US')} params), ${backend.name}: ${small.meta.fit.secondsPerEpoch.toFixed(1)} s/epoch wall (${small.cpuEpochAll.toFixed(1)} s cpu) over ${small.meta.train.windows} training windows (${EPOCHS} epochs, best ${small.meta.fit.bestEpoch}); load ${load()}`);

// 2. full, one epoch on a subset
let full = null;
if (!opts['skip-full']) {
  full = await run('full', { size: 'full', epochs: 1, maxWindows: FULL_WINDOWS, backend: backend.name });
  line(
    `full model (${full.meta.params.toLocaleString('en-US')} params), ${backend.name}: 1 epoch on the newest ${FULL_WINDOWS} windows (${full.meta.train.windows} training) took ${full.meta.fit.secondsPerEpoch.toFixed(1)} s` +
      ` → ~${full.epochAll.toFixed(0)} s/epoch wall (~${full.cpuEpochAll.toFixed(0)} s cpu) on all ${trainWindowsAll} training windows (scaled); load ${load()}`,
  );
}

// 3. cpu for the ratio
if (!opts['skip-cpu'] && backend.name !== 'cpu') {
  const smallBackendSubset = await run('small/subset', { size: 'small', epochs: 1, maxWindows: CPU_WINDOWS, backend: backend.name });
  await initBackend('cpu');
  const smallCpu = await run('small/cpu', { size: 'small', epochs: 1, maxWindows: CPU_WINDOWS, backend: 'cpu' });
  line(
    `small model, cpu vs ${backend.name} on the newest ${CPU_WINDOWS} windows: ${smallCpu.meta.fit.secondsPerEpoch.toFixed(1)} s vs ${smallBackendSubset.meta.fit.secondsPerEpoch.toFixed(1)} s per epoch wall` +
      ` → ${backend.name} is ${(smallCpu.perWindow / smallBackendSubset.perWindow).toFixed(2)}x faster (${(smallCpu.cpuPerWindow / smallBackendSubset.cpuPerWindow).toFixed(2)}x in cpu time)`,
  );
  if (full) {
    const fullCpu = await run('full/cpu', { size: 'full', epochs: 1, maxWindows: CPU_WINDOWS, backend: 'cpu' });
    line(
      `full model, cpu: ~${fullCpu.epochAll.toFixed(0)} s/epoch wall (~${fullCpu.cpuEpochAll.toFixed(0)} s cpu) scaled to all windows (1 epoch on ${CPU_WINDOWS})` +
        ` → ${backend.name} is ${(fullCpu.perWindow / full.perWindow).toFixed(2)}x faster (${(fullCpu.cpuPerWindow / full.cpuPerWindow).toFixed(2)}x in cpu time)`,
    );
  }
  line(`(cpu timings in the same run; load ${load()})`);
}

// Validation of the small model vs the baselines
const r = small.meta.report;
line();
line(`validation (${r.windows} windows, ${new Date(small.meta.validation.fromTsMs).toISOString()} .. ${new Date(small.meta.validation.toTsMs).toISOString()}), small model after ${small.meta.fit.epochsRun} epochs:`);
line('                         MAE pp    RMSE pp   MAPE price %  direction');
for (const [name, m] of [['model', r.model], ['baseline: no change', r.zeroChange], ['baseline: last change', r.lastChange]]) {
  line(`  ${name.padEnd(22)} ${f(m.mae).padStart(7)}  ${f(m.rmse).padStart(8)}  ${f(m.mapePrice).padStart(12)}  ${pct(m.directionalAccuracy).padStart(9)}`);
}
line(`  MAE ratio model / no change: ${(r.model.mae / r.zeroChange.mae).toFixed(3)} (skill ${pct(r.skill)}); model / last change: ${(r.model.mae / r.lastChange.mae).toFixed(3)}; up bars ${pct(r.upShare)}`);
line(`  verdict: ${r.usable ? '' : 'NOT USABLE: '}${r.verdict}`);
tf.disposeVariables();
