#!/usr/bin/env node
/**
 * API load benchmark (`npm run bench:api`, which builds first): autocannon against the built API
 * (`node services/api/dist/main.js`, its own process) on a seeded test database:
 *
 *   GET /healthz                          the baseline: Express + HTTP, no database
 *   GET /api/strategies                   the leaderboard read (Sharpe-sorted, 50 rows, keyset)
 *   GET /api/strategies?cycle=...         one cycle's members (an EXISTS filter)
 *   GET /api/strategies/pipeline/status   the status snapshot (shared for API_SNAPSHOT_TTL_MS)
 *
 * The two target routes run again on a second API with the read cache off (API_SNAPSHOT_TTL_MS=0):
 * the cost of every request going to PostgreSQL and JSON.stringify.
 * Prints requests/s, p50/p99 latency, non-2xx and errors per route, and each route's throughput
 * as a ratio of the baseline. Targets (issue 6): > 2,000 req/s and p99 < 50 ms, no error responses.
 * Never part of `npm test`. Options (env): DURATION (s, default 10), CONNECTIONS (default 10),
 * STRATEGIES (seeded, default 5000), API_URL (bench a running API instead; no seeding), KEEP_DB=1
 * (keep the seeded database and print its URL, to EXPLAIN queries).
 */
import { spawn } from 'node:child_process';
import { randomUUID, createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { createTestDatabase, openDb } from '@mastertrade/db';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DURATION = Number(process.env.DURATION ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 10);
const STRATEGIES = Number(process.env.STRATEGIES ?? 5000);
const TARGET_RPS = 2000;
const TARGET_P99_MS = 50;

const hex = (s) => createHash('sha256').update(s).digest('hex');

/** A plausible read model: cycles of 500, one result per strategy, insights per cycle. */
async function seed(db, n) {
  const cycles = Math.max(1, Math.ceil(n / 500));
  const pool = db.pool;
  await pool.query(`INSERT INTO datasets (id, symbols, timeframe, from_ts, to_ts, bars, source) VALUES ($1, $2, '5m', now() - interval '90 days', now(), 25920, 'bench')`, [hex('bench-dataset'), ['BTCUSDT', 'ETHUSDT', 'BNBUSDT']]);
  const types = ['trend_following', 'mean_reversion', 'breakout', 'momentum', 'hybrid'];
  const tfs = ['5m', '15m', '1h', '4h'];
  const statuses = ['passed', 'rejected', 'rejected', 'rejected', 'paper_trading'];
  for (let c = 0; c < cycles; c++) {
    const cycleId = `bench-${String(c).padStart(3, '0')}`;
    await pool.query(
      `INSERT INTO cycles (id, day, trigger, seed, requested_count, generated_count, backtested_count, passed_count, state, timings, dataset_id, config, started_at, finished_at, updated_at)
       VALUES ($1, current_date - $2::int, 'schedule', $1, 500, 500, 500, 100, 'completed', '{"fetching": 1000, "generating": 500, "backtesting": 60000, "learning": 800, "total": 62300}', $3, '{"engineVersion": "e1"}',
               now() - make_interval(days => $2::int), now() - make_interval(days => $2::int) + interval '62 seconds', now())`,
      [cycleId, cycles - c, hex('bench-dataset')],
    );
    const rows = [];
    for (let i = c * 500; i < Math.min(n, (c + 1) * 500); i++) {
      const sharpe = i % 17 === 0 ? null : Math.sin(i * 12.9898) * 3;
      rows.push({ id: hex(`s${i}`), name: `bench-${i}`, type: types[i % 5], timeframe: tfs[i % 4], status: statuses[i % 5], sharpe });
    }
    await pool.query(
      `INSERT INTO strategies (id, name, document, type, timeframe, symbols, origin, parent_ids, status, cycle_id, sharpe, updated_at)
       SELECT x.id, x.name, jsonb_build_object('version', 1, 'name', x.name), x.type, x.timeframe, ARRAY['BTCUSDT'], 'random', '{}', x.status::strategy_status, $2, x.sharpe, now()
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, name text, type text, timeframe text, status text, sharpe float8)`,
      [JSON.stringify(rows), cycleId],
    );
    await pool.query(
      `INSERT INTO cycle_strategies (cycle_id, strategy_id, origin, batch, state)
       SELECT $2, x.id, 'random', 0, 'done' FROM jsonb_to_recordset($1::jsonb) AS x(id text)`,
      [JSON.stringify(rows.map((r) => ({ id: r.id }))), cycleId],
    );
    await pool.query(
      `INSERT INTO backtest_results (strategy_id, dataset_id, engine_version, cycle_id, timeframe, bars, from_ts, to_ts, capital, fee_rate, slippage_rate,
         total_return, sharpe, max_drawdown, win_rate, trades, longest_win_streak, longest_loss_streak, exposure, monthly_returns, passed, result)
       SELECT x.id, $2, 'e1', $3, x.timeframe, 2000, now() - interval '90 days', now(), 10000, 0.001, 0.0005,
              x.sharpe / 10, x.sharpe, 0.1, 0.5, 40, 3, 4, 0.5, '{}', x.status <> 'rejected', '{}'
       FROM jsonb_to_recordset($1::jsonb) AS x(id text, timeframe text, sharpe float8, status text)`,
      [JSON.stringify(rows.map((r) => ({ id: r.id, timeframe: r.timeframe, sharpe: r.sharpe ?? 0, status: r.status }))), hex('bench-dataset'), cycleId],
    );
    await pool.query(`INSERT INTO learning_insights (cycle_id, kind, data) VALUES ($1, 'statistics', $2)`, [
      cycleId,
      JSON.stringify({ analysed: rows.length, passed: 100, passRate: 0.2, successPatterns: [{ tags: ['ind:rsi'], n: 50, lift: 1.5 }], failurePatterns: [], indicatorRanking: [], timeframeRanking: [], quantiles: [], correlations: [], parameterRanges: {} }),
    ]);
  }
  await pool.query('ANALYZE');
  return `bench-${String(cycles - 1).padStart(3, '0')}`;
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function startApi(env) {
  const child = spawn(process.execPath, [join(ROOT, 'services/api/dist/main.js')], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  const collect = (b) => lines.push(...b.toString().split('\n').filter(Boolean));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const ready = new Promise((resolve, reject) => {
    const deadline = Date.now() + 30_000;
    const tick = () => {
      if (lines.some((l) => l.includes('"msg":"api started"'))) return resolve();
      if (child.exitCode !== null || Date.now() > deadline) return reject(new Error(`api did not start:\n${lines.join('\n')}`));
      setTimeout(tick, 50);
    };
    tick();
  });
  return { child, ready, lines };
}

function run(url, title) {
  return new Promise((resolve, reject) => {
    autocannon({ url, title, connections: CONNECTIONS, duration: DURATION, pipelining: 1 }, (err, r) => (err ? reject(err) : resolve(r)));
  });
}

async function main() {
  let base = process.env.API_URL;
  let cleanup = async () => undefined;
  let cycleId = process.env.CYCLE_ID ?? null;
  let startedApi = Promise.resolve();
  let noCache = null;
  if (!base) {
    const t0 = Date.now();
    const tdb = await createTestDatabase();
    const db = openDb({ url: tdb.url, applicationName: 'bench-api-seed' });
    try {
      cycleId = await seed(db, STRATEGIES);
    } catch (err) {
      await db.close();
      await tdb.drop();
      throw err;
    }
    await db.close();
    const port = await freePort();
    const prefix = `bench-${randomUUID()}`;
    const env = { DATABASE_URL: tdb.url, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', QUEUE_PREFIX: prefix, LOG_LEVEL: 'info', METRICS_PORT: '0' };
    const api = startApi({ ...env, API_PORT: String(port) });
    // The same API with its read cache off: what every request costs in PostgreSQL and JSON.
    const portNoCache = await freePort();
    const apiNoCache = startApi({ ...env, API_PORT: String(portNoCache), API_SNAPSHOT_TTL_MS: '0' });
    cleanup = async () => {
      for (const a of [api, apiNoCache]) {
        if (a.child.exitCode === null) {
          a.child.kill('SIGTERM');
          await new Promise((r) => a.child.once('exit', r));
        }
      }
      const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      if (process.env.KEEP_DB === '1') console.log(`kept the seeded database: ${tdb.url}`);
      else await tdb.drop();
    };
    startedApi = Promise.all([api.ready, apiNoCache.ready]).then(() => {
      base = `http://127.0.0.1:${port}`;
      noCache = `http://127.0.0.1:${portNoCache}`;
      console.log(`seeded ${STRATEGIES} strategies in ${Math.ceil(STRATEGIES / 500)} cycles and started the API in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    });
  }
  if (!process.env.API_URL) {
    try {
      await startedApi;
    } catch (err) {
      await cleanup();
      throw err;
    }
  }
  const targets = [
    ['GET /healthz (baseline)', `${base}/healthz`],
    ['GET /api/strategies', `${base}/api/strategies`],
    ...(cycleId ? [['GET /api/strategies?cycle=<id>', `${base}/api/strategies?cycle=${cycleId}&limit=25`]] : []),
    ['GET /api/strategies/pipeline/status', `${base}/api/strategies/pipeline/status`],
    ...(noCache
      ? [
          ['GET /api/strategies (no cache)', `${noCache}/api/strategies`],
          ['GET /api/strategies/pipeline/status (no cache)', `${noCache}/api/strategies/pipeline/status`],
        ]
      : []),
  ];
  const results = [];
  try {
    for (const [title, url] of targets) {
      // A short warm-up so the first measured second is not JIT and pool start-up.
      await new Promise((resolve, reject) => autocannon({ url, connections: CONNECTIONS, duration: 1 }, (err) => (err ? reject(err) : resolve())));
      const r = await run(url, title);
      results.push({ title, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, total: r.requests.total, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts });
    }
  } finally {
    await cleanup();
  }
  const baseline = results[0]?.rps ?? 1;
  const os = await import('node:os');
  console.log(`\nautocannon: ${CONNECTIONS} connections, ${DURATION} s per route, client and server on this ${os.cpus().length}-core machine (load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')})\n`);
  console.log(['route'.padEnd(38), 'req/s'.padStart(8), 'vs base'.padStart(8), 'p50 ms'.padStart(7), 'p99 ms'.padStart(7), 'max ms'.padStart(7), 'requests'.padStart(9), 'non-2xx'.padStart(8), 'errors'.padStart(7), '  target'].join(' '));
  let ok = true;
  for (const r of results) {
    const isTarget = r.title.startsWith('GET /api/strategies') && !r.title.endsWith('(no cache)');
    const pass = r.rps > TARGET_RPS && r.p99 < TARGET_P99_MS && r.non2xx === 0 && r.errors === 0 && r.timeouts === 0;
    if (isTarget && !pass) ok = false;
    console.log(
      [
        r.title.padEnd(38),
        r.rps.toFixed(0).padStart(8),
        `${(r.rps / baseline).toFixed(2)}x`.padStart(8),
        String(r.p50).padStart(7),
        String(r.p99).padStart(7),
        String(r.max).padStart(7),
        String(r.total).padStart(9),
        String(r.non2xx).padStart(8),
        String(r.errors + r.timeouts).padStart(7),
        isTarget ? (pass ? '  met' : '  MISSED') : '',
      ].join(' '),
    );
  }
  console.log(`\ntargets: > ${TARGET_RPS} req/s, p99 < ${TARGET_P99_MS} ms, no error responses (default configuration, read cache ${process.env.API_URL ? 'as configured' : '1 s'}): ${ok ? 'met' : 'MISSED'}`);
  process.exitCode = ok ? 0 : 1;
}

await main();
