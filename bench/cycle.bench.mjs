#!/usr/bin/env node
/**
 * Cycle benchmark (`npm run bench:cycle`, which builds first): one 500-strategy cycle on the
 * embedded data through the real services (BullMQ queues, sandboxed backtest workers,
 * PostgreSQL), with 1 and then 2 backtest-worker processes, and the 2-vs-1 speed-up.
 *
 * Each run gets a fresh migrated database (results are keyed by strategy + dataset + engine
 * and the generator skips strategies already tested on the dataset, so nothing is reused) and
 * its own queue prefix. The embedded candles are seeded before timing and reported apart.
 * Phases come from the cycle's own `timings` (fetching, generating, backtesting, learning);
 * "wall" is this script's clock from enqueue until PostgreSQL shows the cycle finished.
 * Same seed in every run. Never part of `npm test`.
 *
 * Options: --count N (default 500), --workers 1,2, --batch N (CYCLE_BATCH_SIZE, default the service's),
 * --reps N (default 3): the worker counts alternate N times (1, 2, 1, 2, ...), so both meet the
 * same machine; every figure is the median over the reps, and the paired speed-ups are listed.
 * --ceiling N (default 500; 0 = skip): after the cycles, the machine's own ceiling for the
 * speed-up: the same engine work (bench/lib/engine-load.mjs, N strategies, no queue, no
 * database) in one process, then in two at once, alternated --reps times.
 * The work bound: cores x wall / machine CPU of the 1-worker runs, the most any number of
 * workers could gain on this machine (the work does not shrink when workers are added).
 * Env: DATABASE_URL (server to create the databases on), REDIS_URL.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createTestDatabase, getCycle, openDb } from '@mastertrade/db';
import { enqueueCycle, prepareDataset } from '@mastertrade/pipeline';
import { QueueClient, QUEUES } from '@mastertrade/queue';
import { machineCpuSeconds, startService } from './lib/service-process.mjs';
import { median } from './lib/stats.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'];
const DAYS = 90;
const SEED = 'bench-cycle-20261125';
const TARGET_TOTAL_MS = 20_000;
const TARGET_SPEEDUP = 1.8;

const { values: opts } = parseArgs({
  options: {
    count: { type: 'string', default: '500' },
    workers: { type: 'string', default: '1,2' },
    batch: { type: 'string' },
    reps: { type: 'string', default: '3' },
    ceiling: { type: 'string', default: '500' },
  },
});
const COUNT = Number(opts.count);
const WORKERS = opts.workers.split(',').map(Number);
const REPS = Math.max(1, Number(opts.reps));
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const line = (s = '') => process.stdout.write(`${s}\n`);
const sec = (x) => (x === undefined || Number.isNaN(x) ? '-' : `${(x / 1000).toFixed(2)} s`);

async function deletePrefix(prefix) {
  const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

/** One cycle with `workers` backtest-worker processes on a fresh database. */
async function runOnce(workers) {
  const tdb = await createTestDatabase();
  const db = openDb({ url: tdb.url, maxConnections: 2, applicationName: 'bench-cycle' });
  const prefix = `bench-${randomUUID()}`;
  const producer = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  const queues = new QueueClient(producer, prefix);
  const services = [];
  try {
    let t = performance.now();
    await prepareDataset(db, { symbols: SYMBOLS, days: DAYS, baseTimeframe: '5m' });
    const seedMs = performance.now() - t;

    const env = {
      DATABASE_URL: tdb.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      // debug: the workers log each batch's result (its in-job time) as 'backtest batch done'.
      LOG_LEVEL: 'debug',
      METRICS_PORT: '0',
      DATA_SOURCE: 'embedded',
      CYCLE_DAYS: String(DAYS),
      ...(opts.batch ? { CYCLE_BATCH_SIZE: opts.batch } : {}),
    };
    t = performance.now();
    services.push(startService(ROOT, 'generator', env), startService(ROOT, 'learner', env));
    for (let i = 1; i <= workers; i++) services.push(startService(ROOT, 'backtest-worker', env, `backtest-worker#${i}`));
    await Promise.all(services.map((s) => s.ready));
    const startupMs = performance.now() - t;

    const t0 = performance.now();
    const enqueuedAt = Date.now();
    const { cycleId } = await enqueueCycle(queues, { trigger: 'manual', count: COUNT, seed: SEED, symbols: SYMBOLS });
    let cycle;
    // CPU seconds spent in each cycle state, machine-wide and per service group, from samples
    // taken at every poll (50 ms): where the cores go in each phase.
    const groupOf = (label) => (label.startsWith('backtest-worker') ? 'workers' : label);
    const sampleCpu = () => {
      const out = { machine: machineCpuSeconds() ?? Number.NaN };
      for (const s of services) out[groupOf(s.label)] = (out[groupOf(s.label)] ?? 0) + (s.cpuSeconds() ?? Number.NaN);
      return out;
    };
    const phaseCpu = {};
    let last = { state: 'pending', cpu: sampleCpu(), t: performance.now() };
    for (;;) {
      cycle = await getCycle(db.pool, cycleId);
      let state = cycle?.state ?? 'pending';
      // The learner's state change commits with its work; once no member is queued, count it as learning.
      if (state === 'backtesting') {
        const q = await db.pool.query(`SELECT count(*)::int AS n FROM cycle_strategies WHERE cycle_id = $1 AND state = 'queued'`, [cycleId]);
        if (q.rows[0].n === 0) state = 'learning';
      }
      const now = { state, cpu: sampleCpu(), t: performance.now() };
      const acc = (phaseCpu[last.state] ??= { wall: 0 });
      acc.wall += (now.t - last.t) / 1000;
      for (const k of Object.keys(now.cpu)) acc[k] = (acc[k] ?? 0) + now.cpu[k] - (last.cpu[k] ?? 0);
      last = now;
      if (cycle && ['completed', 'partial', 'failed'].includes(cycle.state)) break;
      const dead = services.find((s) => !s.running);
      if (dead) throw new Error(`${dead.label} exited during the cycle:\n${dead.lines.slice(-30).join('\n')}`);
      if (performance.now() - t0 > 30 * 60_000) throw new Error(`cycle not finished after 30 min (state ${cycle?.state})`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const wallMs = performance.now() - t0;
    const batchMs = services.flatMap((x) => {
      const results = x.lines.filter((l) => l.includes('"msg":"backtest batch done"')).map((l) => JSON.parse(l).result ?? {});
      const ms = results.map((r) => r.ms ?? Number.NaN);
      const part = (k) => results.reduce((a, r) => a + (r[k] ?? Number.NaN), 0);
      return ms.length ? [{ label: x.label, ms, readMs: part('readMs'), computeMs: part('computeMs'), writeMs: part('writeMs') }] : [];
    });
    const cpu = (pred) => services.filter((x) => pred(x.label)).reduce((a, x) => a + (x.cpuSeconds() ?? Number.NaN), 0) * 1000;
    const batches = await queues.queue(QUEUES.backtest).getJobCounts('completed', 'failed');
    return {
      workers,
      phaseCpu,
      seedMs,
      startupMs,
      wallMs,
      pickupMs: (cycle.startedAt?.getTime() ?? enqueuedAt) - enqueuedAt,
      timings: cycle.timings,
      state: cycle.state,
      backtested: cycle.backtestedCount,
      failed: cycle.failedCount,
      passed: cycle.passedCount,
      batches,
      jobMsSum: batchMs.reduce((a, w) => a + w.ms.reduce((x, y) => x + y, 0), 0),
      jobReadMs: batchMs.reduce((a, w) => a + w.readMs, 0),
      jobComputeMs: batchMs.reduce((a, w) => a + w.computeMs, 0),
      jobWriteMs: batchMs.reduce((a, w) => a + w.writeMs, 0),
      // A worker's first batch also reads the dataset from PostgreSQL (its engine thread is warm already).
      coldBatchMs: batchMs.reduce((a, w) => a + (w.ms[0] ?? 0), 0) / Math.max(1, batchMs.length),
      warmBatchMs: (() => {
        const warm = batchMs.flatMap((w) => w.ms.slice(1));
        return warm.reduce((a, b) => a + b, 0) / Math.max(1, warm.length);
      })(),
      // Includes start-up (module loading), which is small next to the cycle.
      workerCpuMs: cpu((l) => l.startsWith('backtest-worker')),
      otherCpuMs: cpu((l) => !l.startsWith('backtest-worker')),
    };
  } finally {
    await Promise.allSettled(services.map((s) => s.stop()));
    await Promise.allSettled(Object.values(QUEUES).map((q) => queues.queue(q).obliterate({ force: true })));
    await queues.close();
    producer.disconnect();
    await deletePrefix(prefix).catch(() => undefined);
    await db.close();
    await tdb.drop();
  }
}

line(`# cycle benchmark: ${COUNT} strategies, ${SYMBOLS.join('/')}, ${DAYS} days of 5m embedded candles, seed ${SEED}`);
line(`# machine: ${availableParallelism()} cores, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at start (shared machine: other work inflates wall times)`);
const runs = [];
for (let rep = 1; rep <= REPS; rep++) {
  for (const w of WORKERS) {
    line(`rep ${rep}/${REPS}: ${w} backtest worker process${w > 1 ? 'es' : ''} ...`);
    const r = await runOnce(w);
    line(
      `  ${r.state}: ${r.backtested} backtested, ${r.failed} failed, ${r.passed} passed; ${r.batches.completed} batch jobs; ` +
        `backtesting ${sec(r.timings.backtesting)}, total ${sec(r.timings.total)}, wall ${sec(r.wallMs)}; load ${loadavg()[0].toFixed(2)}`,
    );
    runs.push(r);
  }
}

const groups = WORKERS.map((w) => runs.filter((r) => r.workers === w));
const cols = WORKERS.map((w) => `${w} worker${w > 1 ? 's' : ''}`);
const base = groups[WORKERS.indexOf(1)];
const best = groups[WORKERS.indexOf(2)];
const rows = [
  ['service start-up (untimed)', (r) => r.startupMs],
  ['enqueue → cycle.start picked up', (r) => r.pickupMs],
  ['fetching (dataset)', (r) => r.timings.fetching],
  ['generating', (r) => r.timings.generating],
  ['backtesting', (r) => r.timings.backtesting],
  ['learning', (r) => r.timings.learning],
  ['total (cycle timings)', (r) => r.timings.total],
  ['wall: enqueue → finished', (r) => r.wallMs],
  ['batch jobs: in-job time, all workers', (r) => r.jobMsSum],
  ['  of which reading (cycle, docs, dataset)', (r) => r.jobReadMs],
  ['  of which the engine', (r) => r.jobComputeMs],
  ['  of which writing results', (r) => r.jobWriteMs],
  ['batch job: first per worker (cold)', (r) => r.coldBatchMs],
  ['batch job: later ones (mean)', (r) => r.warmBatchMs],
  ['CPU: backtest workers (sum)', (r) => r.workerCpuMs],
  ['CPU: generator + learner', (r) => r.otherCpuMs],
];
/** Median of `f` over runs, skipping figures a run could not give (NaN); NaN if none could. */
const med = (rs, f) => median(rs.map(f).filter((x) => !Number.isNaN(x)));
const w0 = Math.max(...rows.map(([n]) => n.length));
const pad = (s, n) => String(s).padStart(n);
line();
line(`| ${'phase'.padEnd(w0)} | ${cols.map((c) => pad(c, 10)).join(' | ')} |${base && best ? ` ${pad('2 vs 1', 7)} |` : ''}`);
line(`|${'-'.repeat(w0 + 2)}|${cols.map(() => '-'.repeat(12)).join('|')}|${base && best ? `${'-'.repeat(9)}|` : ''}`);
for (const [name, f] of rows) {
  const speed = base && best && med(best, f) > 0 ? `${(med(base, f) / med(best, f)).toFixed(2)}x` : '-';
  line(`| ${name.padEnd(w0)} | ${groups.map((g) => pad(sec(med(g, f)), 10)).join(' | ')} |${base && best ? ` ${pad(speed, 7)} |` : ''}`);
}
line(`Medians over ${REPS} rep(s). 2 vs 1 = the 1-worker figure / the 2-worker figure (above 1: less time with 2 workers; for CPU rows, less CPU).`);
line();
line('CPU seconds by cycle state (sampled every 50 ms; "machine" = every process, PostgreSQL and Redis included; the state is');
line('as PostgreSQL shows it, so each phase starts up to 50 ms late; 2 cores = 2 CPU-s per wall second):');
const cpuGroups = ['machine', 'workers', 'generator', 'learner'];
WORKERS.forEach((w, gi) => {
  const rs = groups[gi];
  line(`  ${cols[gi]} (medians):`);
  for (const state of Object.keys(rs[0]?.phaseCpu ?? {})) {
    const get = (k) => med(rs, (r) => r.phaseCpu[state]?.[k] ?? 0);
    const rest = med(rs, (r) => (r.phaseCpu[state]?.machine ?? 0) - cpuGroups.slice(1).reduce((x, g) => x + (r.phaseCpu[state]?.[g] ?? 0), 0));
    line(`    ${state.padEnd(12)} wall ${get('wall').toFixed(2)} s | ${cpuGroups.map((g) => `${g} ${get(g).toFixed(2)}`).join(' | ')} | other (PostgreSQL, Redis, ...) ${rest.toFixed(2)}`);
  }
});
if (base) {
  // Work-conserving bound: N cores finish at best machine-CPU / N after they start, and more
  // workers never make the cycle's work smaller (each needs its own warm-up, dataset read and
  // indicator columns), so the 1-worker run's CPU caps what any number of workers can give here.
  const cores = availableParallelism();
  /** Cores a run kept busy on average over `states` (machine CPU / wall). */
  const busy = (r, states) => {
    const sum = (k) => states.reduce((a, s) => a + (r.phaseCpu[s]?.[k] ?? 0), 0);
    return sum('machine') / sum('wall');
  };
  const bound = (r, states) => {
    const b = busy(r, states);
    return b > 0 ? cores / b : Number.NaN;
  };
  const all = Object.keys(base[0]?.phaseCpu ?? {});
  const used = (states) => med(base, (r) => busy(r, states));
  line(
    `work bound on ${cores} cores (from the 1-worker runs: cores x wall / machine CPU; no number of workers can beat it): ` +
      `backtesting <= ${med(base, (r) => bound(r, ['backtesting'])).toFixed(2)}x, whole cycle <= ${med(base, (r) => bound(r, all)).toFixed(2)}x ` +
      `(the 1-worker run already keeps ${used(all).toFixed(2)} cores busy on average, ${used(['backtesting']).toFixed(2)} while backtesting)`,
  );
}
line();
const wallOf = (r) => r.wallMs;
const btOf = (r) => r.timings.backtesting;
if (best) {
  const total = med(best, wallOf);
  line(`target: total < ${TARGET_TOTAL_MS / 1000} s with 2 workers: ${sec(total)} wall (median), ${sec(med(best, (r) => r.timings.total))} cycle total -> ${total < TARGET_TOTAL_MS ? 'met' : 'MISSED'}`);
}
if (base && best) {
  const s = med(base, wallOf) / med(best, wallOf);
  const sb = med(base, btOf) / med(best, btOf);
  const paired = (f) => base.map((r, i) => (best[i] ? f(r) / f(best[i]) : Number.NaN)).filter((x) => !Number.isNaN(x));
  const list = (xs) => xs.map((x) => `${x.toFixed(2)}x`).join(', ');
  line(`target: 2-vs-1 speed-up >= ${TARGET_SPEEDUP}: ${s.toFixed(2)}x wall, ${sb.toFixed(2)}x backtesting phase (medians) -> ${s >= TARGET_SPEEDUP ? 'met' : 'MISSED'}`);
  line(`  per rep (1-worker run / the 2-worker run after it): wall ${list(paired(wallOf))}; backtesting ${list(paired(btOf))}`);
}
const CEILING = Number(opts.ceiling);
if (CEILING > 0) {
  const load = () =>
    new Promise((resolve, reject) =>
      execFile(process.execPath, [join(ROOT, 'bench/lib/engine-load.mjs'), String(CEILING)], { cwd: ROOT }, (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout).ms))),
    );
  const pairs = [];
  for (let rep = 1; rep <= REPS; rep++) {
    const alone = await load();
    const both = await Promise.all([load(), load()]);
    pairs.push({ alone, both: Math.max(...both), ratio: (2 * alone) / Math.max(...both) });
  }
  line(
    `machine ceiling: the engine alone (${CEILING} strategies' walk-forward validation per process, no queue, no database): ` +
      `1 process ${sec(median(pairs.map((p) => p.alone)))}, 2 at once ${sec(median(pairs.map((p) => p.both)))} for twice the work -> ` +
      `${median(pairs.map((p) => p.ratio)).toFixed(2)}x (per rep ${pairs.map((p) => `${p.ratio.toFixed(2)}x`).join(', ')}): what 2 workers can give at most here`,
  );
}
line(`reference: the seed's system needed 2.5-3 hours for the same ${COUNT} strategies (${best ? `~${Math.round((2.75 * 3600_000) / med(best, wallOf))}x slower than 2 workers here` : 'n/a'})`);
