// npm run bench:selection — issue 8's synthetic check: 500 strategies of pure noise (random
// entries, random stops) on the embedded data. Prints how many the raw filter passes (Sharpe
// > 0.5, win rate > 35%, return -50%..+500%, >= 10 trades) and how many survive the honest
// gates (out-of-sample check + deflated Sharpe >= 0.95 over all 500 trials), the cycle's PBO,
// and the time taken.
import { DEFAULT_FILTERS, DEFAULT_SETTINGS, IndicatorCache, passesFilters } from '@mastertrade/core';
import { openCandleDirectory } from '@mastertrade/market-data';
import { judge, noiseStrategies, validateStrategy, walkForwardPlan } from '@mastertrade/pipeline';

const COUNT = Number(process.env.COUNT ?? 500);
const data = openCandleDirectory('embedded');
const cache = new IndicatorCache();
const plan = walkForwardPlan(data.series('BTCUSDT', '5m'), 2 / 3, 3);
const t0 = performance.now();
const items = noiseStrategies(COUNT, 20261125, ['BTCUSDT', 'ETHUSDT', 'BNBUSDT']).map((doc, i) => {
  const v = validateStrategy(doc, doc.symbols.map((s) => data.series(s, doc.timeframe)), {
    settings: DEFAULT_SETTINGS, filters: DEFAULT_FILTERS, oosFilters: { minSharpe: 0, minReturn: -0.05, minTrades: 5 }, fitness: 'robust_sharpe', plan, cache,
  });
  return { hash: String(i), score: v.isScore, passed: passesFilters(v.inSample.metrics, DEFAULT_FILTERS), metrics: v.inSample.metrics, oosPassed: v.oosPassed, oosFailures: v.oosFailures, gridMoments: v.gridMoments, gridReturns: v.gridReturns };
});
const t1 = performance.now();
const report = judge(items, { maxPromoted: 20, minTrades: 10, minDsr: 0.95, requireOos: true });
const t2 = performance.now();
const raw = items.filter((i) => i.passed).length;
const oos = items.filter((i) => i.passed && i.oosPassed).length;
const dsrOk = report.judged.filter((j) => j.dsr !== null && j.dsr >= 0.95).length;
console.log(`pure-noise strategies           ${COUNT}`);
console.log(`raw filter passes (Sharpe>0.5…)  ${raw}`);
console.log(`  … and out-of-sample passes     ${oos}`);
console.log(`  … DSR >= 0.95 (of raw passes)  ${dsrOk}`);
console.log(`honest promotion candidates     ${report.candidates.length}`);
console.log(`PBO (CSCV, S=16)                ${report.pbo ? report.pbo.pbo.toFixed(3) : 'n/a'} over ${report.pbo?.splits ?? 0} splits`);
console.log(`expected max Sharpe (per 4h)    ${report.expectedMaxSharpe.toFixed(4)} from ${report.trials} trials`);
console.log(`time: validate ${(t1 - t0).toFixed(0)} ms (${((t1 - t0) / COUNT).toFixed(1)} ms/strategy), judge+PBO ${(t2 - t1).toFixed(0)} ms`);
