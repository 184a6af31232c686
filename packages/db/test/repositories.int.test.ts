import { allocSeries, DataError, randomStrategy, createRng, type BacktestResult, type CandleSeries, type TradeJson } from '@mastertrade/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  candleStatus,
  createDataset,
  createTestDatabase,
  datasetHash,
  loadDataset,
  markResultsPassed,
  openDb,
  readCandles,
  readEquityCurve,
  addCycleMembers,
  ensureCycle,
  saveBacktestResult,
  saveBatchResults,
  saveCandles,
  saveEquityCurve,
  saveStrategies,
  saveTrades,
  type Db,
  type TestDatabase,
} from '../src/index.js';

const STEP = 300_000;
const T0 = Date.UTC(2025, 3, 3, 17, 5);

function series(symbol: string, n: number, opts: { from?: number; skip?: (i: number) => boolean; bump?: number } = {}): CandleSeries {
  const idx = Array.from({ length: n }, (_, i) => i).filter((i) => !opts.skip?.(i));
  const s = allocSeries(symbol, '5m', STEP, idx.length);
  idx.forEach((i, k) => {
    const open = 100 + Math.sin(i) / 3 + (opts.bump ?? 0);
    const close = open + Math.cos(i) / 7;
    s.tsMs[k] = (opts.from ?? T0) + i * STEP;
    s.open[k] = open;
    s.close[k] = close;
    s.high[k] = Math.max(open, close) + 0.1 / 3;
    s.low[k] = Math.min(open, close) - 0.1 / 3;
    s.volume[k] = 1e-9 + i * 1.1;
  });
  return s;
}

describe('repositories', () => {
  let tdb: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = openDb({ url: tdb.url });
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });
  beforeEach(async () => {
    await db.pool.query('TRUNCATE candles, datasets, strategies, cycles CASCADE');
  });

  it('stores and reads candles back bit for bit, within a range', async () => {
    const s = series('AAAUSDT', 1_000);
    expect(await saveCandles(db, s)).toEqual({ inserted: 1_000, unchanged: 0, conflicting: 0, conflictSamples: [] });
    const back = await readCandles(db, { symbol: 'AAAUSDT', timeframe: '5m' });
    for (const k of ['tsMs', 'open', 'high', 'low', 'close', 'volume'] as const) expect(back[k], k).toEqual(s[k]);
    const part = await readCandles(db, { symbol: 'AAAUSDT', timeframe: '5m', fromMs: T0 + 10 * STEP, toMs: T0 + 20 * STEP });
    expect(Array.from(part.tsMs), 'from inclusive, to exclusive').toEqual(Array.from(s.tsMs.subarray(10, 20)));
    expect((await readCandles(db, { symbol: 'AAAUSDT', timeframe: '1h' })).tsMs.length).toBe(0);

    // Binary transfer edge cases: times before PostgreSQL's 2000 epoch (negative int64) and
    // across it, and doubles at the ends of the range.
    const edge = series('EDGEUSDT', 4, { from: Date.UTC(1999, 11, 31, 23, 50) });
    edge.open.set([5e-324, 0.1 + 0.2, 1.7976931348623157e308, 123456789.12345679]);
    edge.volume.set([0, 1e-300, 2 ** 53 + 2, 0.30000000000000004]);
    await saveCandles(db, edge);
    const edgeBack = await readCandles(db, { symbol: 'EDGEUSDT', timeframe: '5m' });
    for (const k of ['tsMs', 'open', 'high', 'low', 'close', 'volume'] as const) expect(edgeBack[k], `edge ${k}`).toEqual(edge[k]);
  });

  it('reports status with gaps and missing bars', async () => {
    await saveCandles(db, series('GAPUSDT', 100, { skip: (i) => (i >= 10 && i < 13) || i === 50 }));
    await saveCandles(db, series('OKUSDT', 100));
    expect(await candleStatus(db)).toEqual([
      { symbol: 'GAPUSDT', timeframe: '5m', firstMs: T0, lastMs: T0 + 99 * STEP, count: 96, gaps: 2, missingBars: 4 },
      { symbol: 'OKUSDT', timeframe: '5m', firstMs: T0, lastMs: T0 + 99 * STEP, count: 100, gaps: 0, missingBars: 0 },
    ]);
  });

  it('makes a dataset over the common range, idempotently, and refuses gaps', async () => {
    await saveCandles(db, series('AUSDT', 300));
    await saveCandles(db, series('BUSDT', 280, { from: T0 + 10 * STEP }));
    const a = await createDataset(db, { symbols: ['AUSDT', 'BUSDT'], timeframe: '5m', source: 'test' });
    expect([a.dataset.fromTs.getTime(), a.dataset.toTs.getTime(), a.dataset.bars]).toEqual([T0 + 10 * STEP, T0 + 289 * STEP, 280]);
    expect(a.dataset.id).toBe(datasetHash('5m', a.series));
    const b = await createDataset(db, { symbols: ['AUSDT', 'BUSDT'], timeframe: '5m' });
    expect(b.dataset.id, 'same candles, same dataset').toBe(a.dataset.id);
    const loaded = await loadDataset(db, a.dataset.id);
    for (const k of ['tsMs', 'open', 'high', 'low', 'close', 'volume'] as const) expect(loaded.series[1]?.[k], `from the packed copy: ${k}`).toEqual(a.series[1]?.[k]);
    expect(loaded.dataset).toEqual(a.dataset);

    // The packed copy is checked against the hash: a damaged or missing one is read from the candles.
    await db.pool.query(`UPDATE datasets SET columns = overlay(columns placing '\\x00'::bytea from 100) WHERE id = $1`, [a.dataset.id]);
    expect((await loadDataset(db, a.dataset.id)).series[0]?.open, 'damaged copy: read from the candles').toEqual(a.series[0]?.open);
    await db.pool.query(`UPDATE datasets SET columns = NULL WHERE id = $1`, [a.dataset.id]);
    const at = T0 + 20 * STEP;
    const volume = a.series[1]?.volume[10] as number; // BUSDT at `at` (the dataset starts at T0 + 10 bars)
    const setVolume = (v: number) => db.pool.query(`UPDATE candles SET volume = $2 WHERE symbol = 'BUSDT' AND ts = to_timestamp($1::float8 / 1000.0)`, [at, v]);
    expect((await loadDataset(db, a.dataset.id)).series[1]?.volume, 'no copy: read from the candles').toEqual(a.series[1]?.volume);
    await setVolume(volume + 1);
    await expect(loadDataset(db, a.dataset.id), 'no copy and changed candles').rejects.toThrow(/no longer match its content hash/);
    expect((await createDataset(db, { symbols: ['AUSDT', 'BUSDT'], timeframe: '5m', fromMs: T0 + 10 * STEP, toMs: T0 + 290 * STEP })).dataset.id, 'changed candles, another dataset').not.toBe(a.dataset.id);
    await setVolume(volume);
    const again = await createDataset(db, { symbols: ['AUSDT', 'BUSDT'], timeframe: '5m' });
    expect(again.dataset.id).toBe(a.dataset.id);
    await setVolume(volume + 1);
    expect((await loadDataset(db, a.dataset.id)).series[1]?.volume, 'made again, it has its copy back: the candles it was made of').toEqual(a.series[1]?.volume);
    await setVolume(volume);
    const other = await createDataset(db, { symbols: ['AUSDT'], timeframe: '5m', toMs: T0 + 100 * STEP });
    expect(other.dataset.id, 'other candles, other hash').not.toBe(a.dataset.id);

    await saveCandles(db, series('HOLEUSDT', 100, { skip: (i) => i === 40 }));
    const err = await createDataset(db, { symbols: ['HOLEUSDT'], timeframe: '5m' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(String(err)).toMatch(/HOLEUSDT 5m at 2025-04-03T20:30:00.000Z: gap: 1 bar\(s\) missing/);
  });

  it('upserts a backtest result on its key, with trades and a compact equity curve', async () => {
    const doc = randomStrategy(createRng(7), { symbols: ['AUSDT'] });
    const { ids, inserted } = await saveStrategies(db, [{ document: doc, origin: 'random' }, { document: { ...doc, name: 'same rules' }, origin: 'ga' }]);
    expect(inserted, 'same rules under another name are the same strategy').toBe(1);
    expect(ids[0]).toBe(ids[1]);
    await saveCandles(db, series('AUSDT', 100));
    const { dataset } = await createDataset(db, { symbols: ['AUSDT'], timeframe: '5m' });
    const trades: TradeJson[] = Array.from({ length: 3 }, (_, i) => ({
      symbol: 'AUSDT', side: i % 2 ? 'short' : 'long', entryTime: new Date(T0 + i * STEP).toISOString(), entryPrice: 100 + i,
      exitTime: new Date(T0 + (i + 1) * STEP).toISOString(), exitPrice: 101 + i, qty: 0.5, fees: 0.12, pnl: 0.38, reason: 'signal',
    }));
    const metrics = {
      totalReturn: 0.12, sharpe: 1.5, sortino: null, maxDrawdown: 0.04, winRate: 0.6, profitFactor: 1.8, trades: 3, avgTradePnl: 0.38,
      longestWinStreak: 2, longestLossStreak: 1, exposure: 0.3, monthlyReturns: { '2025-04': 0.12 },
    };
    const result: BacktestResult = {
      strategy: doc.name, timeframe: '5m', settings: { capital: 10_000, fee: 0.0006, slippage: 0.0005 }, bars: 100,
      from: new Date(T0).toISOString(), to: new Date(T0 + 99 * STEP).toISOString(), metrics, perSymbol: { AUSDT: metrics }, trades,
    };
    const key = { strategyId: ids[0] as string, datasetId: dataset.id, engineVersion: '1.0.0' };
    const row = await saveBacktestResult(db, { ...key, result, passed: true });
    expect(row).toMatchObject({ sharpe: 1.5, sortino: null, trades: 3, feeRate: 0.0006, passed: true });
    expect(row.result, 'the JSON without trades').toEqual({ ...result, trades: undefined });
    const again = await saveBacktestResult(db, { ...key, result: { ...result, metrics: { ...metrics, sharpe: 1.6 } } });
    expect(again.id, 'same key, same row').toBe(row.id);
    expect(await db.prisma.backtestResult.count()).toBe(1);
    expect((await db.prisma.strategy.findUniqueOrThrow({ where: { id: key.strategyId } })).sharpe, 'copied to the strategy').toBe(1.6);

    expect(await saveTrades(db, row.id, trades)).toBe(3);
    expect(await saveTrades(db, row.id, trades), 'saving again inserts nothing').toBe(0);
    const stored = await db.prisma.trade.findMany({ where: { resultId: row.id }, orderBy: { seq: 'asc' } });
    expect(stored.map((t) => [t.seq, t.side, t.entryTs.toISOString(), t.pnl])).toEqual(trades.map((t, i) => [i, t.side, t.entryTime, t.pnl]));

    const tsMs = Float64Array.from({ length: 2_000 }, (_, i) => T0 + i * STEP);
    const equity = Float64Array.from({ length: 2_000 }, (_, i) => 10_000 + Math.sin(i / 50) * 100);
    await saveEquityCurve(db, row.id, tsMs, equity, 500);
    const curve = await readEquityCurve(db, row.id);
    expect(curve?.equity.length).toBeLessThanOrEqual(500);
    expect([curve?.tsMs[0], curve?.equity[0]]).toEqual([tsMs[0], equity[0]]);
    expect([curve?.tsMs.at(-1), curve?.equity.at(-1)], 'the last point is always kept').toEqual([tsMs[1_999], equity[1_999]]);
  });
  it('writes a batch of cycle results in one transaction: columns, validation, trades and curves of the passed, members done; again = same rows', async () => {
    await saveCandles(db, series('AUSDT', 100));
    const { dataset } = await createDataset(db, { symbols: ['AUSDT'], timeframe: '5m' });
    const rng = createRng(11);
    const docs = [0, 1, 2].map(() => randomStrategy(rng, { symbols: ['AUSDT'] }));
    const { ids } = await saveStrategies(db, docs.map((document) => ({ document, origin: 'random' as const })));
    const cycleId = 'manual-batch-test';
    await ensureCycle(db.pool, { id: cycleId, day: '2025-04-03', trigger: 'manual', seed: 's', requestedCount: 3, deadline: new Date(Date.now() + 3_600_000), config: {} });
    await addCycleMembers(db.pool, cycleId, ids.map((strategyId) => ({ strategyId, origin: 'random' as const, batch: 0 })));
    const trade = (i: number): TradeJson => ({
      symbol: 'AUSDT', side: 'long', entryTime: new Date(T0 + i * STEP).toISOString(), entryPrice: 100, exitTime: new Date(T0 + (i + 1) * STEP).toISOString(),
      exitPrice: 101 + 1 / 3, qty: 0.1 + 0.2, fees: 1e-300, pnl: 0.9 + i / 7, reason: 'take_profit',
    });
    const items = ids.map((strategyId, k) => {
      const metrics = {
        totalReturn: 0.01 * k, sharpe: k === 1 ? null : 0.5 + k, sortino: null, maxDrawdown: 0.02, winRate: k === 1 ? null : 0.5, profitFactor: k === 2 ? Infinity : 1.2,
        trades: k + 1, avgTradePnl: 0.9, longestWinStreak: k, longestLossStreak: 0, exposure: 0.25, monthlyReturns: { '2025-04': 0.01 * k },
      };
      const result: BacktestResult = {
        strategy: `s${k}`, timeframe: '5m', settings: { capital: 10_000, fee: 0.0006, slippage: 0.0005 }, bars: 100,
        from: new Date(T0).toISOString(), to: new Date(T0 + 99 * STEP).toISOString(), metrics, perSymbol: { AUSDT: metrics },
        trades: Array.from({ length: k + 1 }, (_, i) => trade(i)),
      };
      const passed = k !== 1;
      return {
        strategyId: strategyId as string, result, passed, durationMs: 12.6,
        validation: {
          splitMs: T0 + 66 * STEP, isScore: 0.3 * k, folds: [{ k }], oos: k === 1 ? null : { sharpe: 1 }, oosSharpe: k === 1 ? null : 1, oosTotalReturn: 0.01,
          oosTrades: 2, oosPassed: k === 0, returnMoments: { n: 3 }, gridReturns: Float64Array.of(0.01, -0.02, 0.5 / 3),
        },
        curve: passed ? { tsMs: Float64Array.from({ length: 800 }, (_, i) => T0 + i * STEP), equity: Float64Array.from({ length: 800 }, (_, i) => 10_000 + i / 3) } : null,
      };
    });
    const opts = { cycleId, datasetId: dataset.id, engineVersion: 'e-test' };
    const first = await saveBatchResults(db, opts, items);
    expect([...first.keys()].sort()).toEqual([...ids].sort());
    const rows = await db.pool.query(
      `SELECT strategy_id, sharpe, win_rate, profit_factor, trades, passed, duration_ms, oos_passed, grid_returns, result, folds, monthly_returns
       FROM backtest_results ORDER BY trades`,
    );
    expect(rows.rows.map((r) => [r.strategy_id, r.sharpe, r.win_rate, r.profit_factor, r.trades, r.passed, r.duration_ms, r.oos_passed])).toEqual([
      [ids[0], 0.5, 0.5, 1.2, 1, true, 13, true],
      [ids[1], null, null, 1.2, 2, false, 13, false],
      [ids[2], 2.5, 0.5, Infinity, 3, true, 13, false],
    ]);
    expect(new Float64Array(new Uint8Array(rows.rows[2].grid_returns).buffer), 'grid returns bit for bit').toEqual(Float64Array.of(0.01, -0.02, 0.5 / 3));
    expect(rows.rows[0].result, 'the JSON without trades').toEqual({ ...items[0]?.result, trades: undefined });
    expect(rows.rows[1].folds).toEqual([{ k: 1 }]);
    const trades = await db.pool.query(`SELECT r.strategy_id, count(t.*)::int AS n FROM backtest_results r LEFT JOIN trades t ON t.result_id = r.id GROUP BY 1 ORDER BY 2`);
    expect(trades.rows.map((r) => r.n), 'trades of the passed only').toEqual([0, 1, 3]);
    const stored = await db.pool.query(
      `SELECT t.seq, t.symbol, t.side, t.entry_ts, t.entry_price, t.exit_ts, t.exit_price, t.qty, t.fees, t.pnl, t.reason
       FROM trades t JOIN backtest_results r ON r.id = t.result_id WHERE r.strategy_id = $1 ORDER BY t.seq`,
      [ids[2]],
    );
    expect(
      stored.rows.map((r) => ({ symbol: r.symbol, side: r.side, entryTime: r.entry_ts.toISOString(), entryPrice: r.entry_price, exitTime: r.exit_ts.toISOString(), exitPrice: r.exit_price, qty: r.qty, fees: r.fees, pnl: r.pnl, reason: r.reason })),
      'trades bit for bit',
    ).toEqual(items[2]?.result.trades);
    const curve = await readEquityCurve(db, first.get(ids[2] as string) as string);
    expect(curve?.equity.length).toBeLessThanOrEqual(500);
    expect(curve?.equity.at(-1), 'the last point is kept').toBe(10_000 + 799 / 3);
    const sharpe = await db.pool.query(`SELECT id, sharpe FROM strategies ORDER BY id`);
    expect(new Map(sharpe.rows.map((r) => [r.id, r.sharpe])).get(ids[2] as string), 'copied to the strategy').toBe(2.5);
    const members = await db.pool.query(`SELECT state, count(*)::int AS n FROM cycle_strategies WHERE cycle_id = $1 GROUP BY state`, [cycleId]);
    expect(members.rows).toEqual([{ state: 'done', n: 3 }]);

    // The learner's pass marks: a row whose mark changes is updated, the others are left as they are.
    const xmin = async () => new Map((await db.pool.query(`SELECT strategy_id, xmin::text AS v, passed FROM backtest_results`)).rows.map((r) => [r.strategy_id, r]));
    const before = await xmin();
    await markResultsPassed(db.pool, [first.get(ids[0] as string) as string, first.get(ids[1] as string) as string], true);
    const after = await xmin();
    expect([after.get(ids[0])?.passed, after.get(ids[1])?.passed]).toEqual([true, true]);
    expect(after.get(ids[0])?.v, 'already passed: not rewritten').toBe(before.get(ids[0])?.v);
    expect(after.get(ids[1])?.v, 'newly passed: rewritten').not.toBe(before.get(ids[1])?.v);
    await markResultsPassed(db.pool, [first.get(ids[1] as string) as string], false);

    const again = await saveBatchResults(db, opts, items);
    expect(again, 'same keys, same rows').toEqual(first);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM backtest_results`)).rows[0].n).toBe(3);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM trades`)).rows[0].n, 'no trade twice').toBe(4);
    expect(await saveBatchResults(db, opts, []), 'an empty batch writes nothing').toEqual(new Map());
  });
});
