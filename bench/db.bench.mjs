// Database benchmark (issue 4): candle import, candle read into Float64Array columns, trade writes.
// Run: npm run bench:db (builds first). Needs the local PostgreSQL; uses its own throwaway database.
// Each figure is printed next to its target and next to a baseline measured in the same run (the
// plain Prisma createMany / findMany path), so a busy machine shows in both.
import { loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseCandleCsv } from '@mastertrade/core';
import { createTestDatabase, openDb, readCandles, saveCandles, saveTrades } from '@mastertrade/db';
import { EMBEDDED_DATA_DIR, EMBEDDED_SYMBOLS } from '@mastertrade/market-data';

const REPS = 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** Wall time and this process's CPU time (user + system) of one call: on a busy machine the wall
 * time also counts waiting for a core, the CPU time much less so. */
const time = async (fn) => {
  const c = process.cpuUsage();
  const t = performance.now();
  const r = await fn();
  const cpu = process.cpuUsage(c);
  lastCpuMs = (cpu.user + cpu.system) / 1000;
  return [performance.now() - t, r];
};
let lastCpuMs = 0;
const fmt = (ms) => `${ms.toFixed(1)} ms`;
const rate = (rows, ms) => `${Math.round((rows / ms) * 1000).toLocaleString('en-US')} rows/s`;
const verdict = (ms, target) => (ms < target ? `OK (target < ${target} ms)` : `OVER TARGET (target < ${target} ms)`);

const tdb = await createTestDatabase();
const db = openDb({ url: tdb.url, applicationName: 'bench-db' });
await db.pool.query('SELECT 1');
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} on this machine (figures scale with it)\n`);

try {
  // 1. Import the three embedded 5m files.
  const [parseMs, series] = await time(async () =>
    EMBEDDED_SYMBOLS.map((symbol) => {
      const raw = gunzipSync(readFileSync(join(EMBEDDED_DATA_DIR, `${symbol}_5m.csv.gz`))).toString('utf8');
      return parseCandleCsv(raw, { symbol, timeframe: '5m', stepMs: 300_000 });
    }),
  );
  const rows = series.reduce((n, s) => n + s.tsMs.length, 0);
  const [storeMs] = await time(async () => {
    for (const s of series) await saveCandles(db, s);
  });
  const storeCpuMs = lastCpuMs;
  const [reimportMs] = await time(async () => {
    for (const s of series) await saveCandles(db, s);
  });
  await db.pool.query('TRUNCATE candles');
  // The Prisma baseline runs on one file: at its rate all three would take minutes.
  const [prismaMs] = await time(async () => {
    for (const s of series.slice(0, 1)) {
      for (let from = 0; from < s.tsMs.length; from += 10_000) {
        const data = [];
        for (let i = from; i < Math.min(s.tsMs.length, from + 10_000); i++) {
          data.push({ symbol: s.symbol, timeframe: '5m', ts: new Date(s.tsMs[i]), open: s.open[i], high: s.high[i], low: s.low[i], close: s.close[i], volume: s.volume[i] });
        }
        await db.prisma.candle.createMany({ data, skipDuplicates: true });
      }
    }
  });
  for (const s of series) await saveCandles(db, s); // all three back for the read test
  console.log(`import ${rows.toLocaleString('en-US')} candles (3 embedded 5m files)`);
  console.log(`  parse + validate (core)        ${fmt(parseMs)}  ${rate(rows, parseMs)}`);
  console.log(`  store (unnest insert-or-keep)  ${fmt(storeMs)}  ${rate(rows, storeMs)}  (client CPU ${fmt(storeCpuMs)})`);
  console.log(`  total                          ${fmt(parseMs + storeMs)}  ${rate(rows, parseMs + storeMs)}  ${verdict(parseMs + storeMs, 2000)}`);
  console.log(`  re-import (all bars stored)    ${fmt(reimportMs)}  ${rate(rows, reimportMs)}`);
  const prismaRows = series[0].tsMs.length;
  console.log(`  baseline: Prisma createMany    ${fmt(prismaMs)} for ${prismaRows.toLocaleString('en-US')}  ${rate(prismaRows, prismaMs)}  (ours is ${((rows / storeMs) / (prismaRows / prismaMs)).toFixed(1)}x faster)\n`);

  // 2. Read a 90-day 5m series back into Float64Array columns.
  const readTimes = [];
  const readCpu = [];
  const prismaTimes = [];
  for (let r = 0; r < REPS; r++) {
    for (const symbol of EMBEDDED_SYMBOLS) {
      const [ms, s] = await time(() => readCandles(db, { symbol, timeframe: '5m' }));
      if (s.tsMs.length !== 25_920) throw new Error(`read ${s.tsMs.length} bars of ${symbol}`);
      readTimes.push(ms);
      readCpu.push(lastCpuMs);
      const [pms] = await time(async () => {
        const found = await db.prisma.candle.findMany({ where: { symbol, timeframe: '5m' }, orderBy: { ts: 'asc' } });
        const close = new Float64Array(found.length);
        found.forEach((c, i) => (close[i] = c.close));
        return close;
      });
      prismaTimes.push(pms);
    }
  }
  const readMs = median(readTimes);
  const pReadMs = median(prismaTimes);
  console.log(`read one 90-day 5m series (25,920 bars) into CandleSeries, median of ${readTimes.length}`);
  console.log(`  packed arrays -> Float64Array  ${fmt(readMs)}  ${rate(25_920, readMs)}  ${verdict(readMs, 100)}  (client CPU ${fmt(median(readCpu))})`);
  console.log(`  baseline: Prisma findMany      ${fmt(pReadMs)}  ${rate(25_920, pReadMs)}  (ours is ${(pReadMs / readMs).toFixed(1)}x faster)\n`);

  // 3. Write 100,000 trade rows.
  const strategy = await db.prisma.strategy.create({ data: { id: 'bench', name: 'bench', document: {}, type: 'momentum', timeframe: '5m', symbols: ['BTCUSDT'], origin: 'user', parentIds: [] } });
  const dataset = await db.prisma.dataset.create({ data: { id: 'bench', symbols: ['BTCUSDT'], timeframe: '5m', fromTs: new Date(0), toTs: new Date(0), bars: 0 } });
  const result = (engineVersion) =>
    db.prisma.backtestResult.create({
      data: {
        strategyId: strategy.id, datasetId: dataset.id, engineVersion, timeframe: '5m', bars: 0, fromTs: new Date(0), toTs: new Date(0), capital: 1, feeRate: 0, slippageRate: 0,
        totalReturn: 0, maxDrawdown: 0, trades: 0, longestWinStreak: 0, longestLossStreak: 0, exposure: 0, monthlyReturns: {}, result: {},
      },
    });
  const N = 100_000;
  const t0 = Date.UTC(2025, 3, 3);
  const trades = Array.from({ length: N }, (_, i) => ({
    symbol: 'BTCUSDT', side: i % 2 ? 'short' : 'long', entryTime: new Date(t0 + i * 600_000).toISOString(), entryPrice: 80_000 + (i % 997),
    exitTime: new Date(t0 + i * 600_000 + 300_000).toISOString(), exitPrice: 80_010 + (i % 991), qty: 0.01, fees: 0.96, pnl: (i % 13) - 6, reason: 'signal',
  }));
  const r1 = await result('a');
  const [tradeMs, inserted] = await time(() => saveTrades(db, r1.id, trades));
  const tradeCpuMs = lastCpuMs;
  if (inserted !== N) throw new Error(`inserted ${inserted} trades`);
  const r2 = await result('b');
  const P = 20_000; // the Prisma baseline writes a fifth of the rows (same reason as above)
  const [pTradeMs] = await time(async () => {
    for (let from = 0; from < P; from += 10_000) {
      await db.prisma.trade.createMany({
        data: trades.slice(from, from + 10_000).map((t, k) => ({
          resultId: r2.id, seq: from + k, symbol: t.symbol, side: t.side, entryTs: new Date(t.entryTime), entryPrice: t.entryPrice,
          exitTs: new Date(t.exitTime), exitPrice: t.exitPrice, qty: t.qty, fees: t.fees, pnl: t.pnl, reason: t.reason,
        })),
      });
    }
  });
  console.log(`write ${N.toLocaleString('en-US')} trade rows`);
  console.log(`  saveTrades (JSON rows)         ${fmt(tradeMs)}  ${rate(N, tradeMs)}  ${verdict(tradeMs, 2000)}  (client CPU ${fmt(tradeCpuMs)})`);
  console.log(`  baseline: Prisma createMany    ${fmt(pTradeMs)} for ${P.toLocaleString('en-US')}  ${rate(P, pTradeMs)}  (ours is ${((N / tradeMs) / (P / pTradeMs)).toFixed(1)}x faster)`);
} finally {
  await db.close();
  await tdb.drop();
}
