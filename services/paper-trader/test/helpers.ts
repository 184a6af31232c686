import { readFileSync } from 'node:fs';
import {
  DEFAULT_SETTINGS,
  IndicatorCache,
  parseStrategy,
  resample,
  simulate,
  sliceSeries,
  timeframeMs,
  toResult,
  validateSeries,
  type BacktestResult,
  type CandleSeries,
  type StrategyDocument,
} from '@mastertrade/core';
import {
  createDataset,
  getPaperAccount,
  readCandles,
  readPaperEquity,
  readPaperTrades,
  saveBacktestResult,
  saveCandles,
  saveStrategies,
  saveValidation,
  type Db,
  type PaperAccountRow,
} from '@mastertrade/db';
import { EMBEDDED_SYMBOLS, openCandleDirectory } from '@mastertrade/market-data';
import { expect } from 'vitest';

export const ROOT = new URL('../../../', import.meta.url);
export const DAY = 86_400_000;
/** The embedded data: 2025-04-03 17:05 .. 2025-07-02 17:00 (5m). Promotion a little after day 60, replay the last 30 days. */
export const PROMOTED_MS = Date.parse('2025-06-03T00:00:00Z');
export const DATA_END_MS = Date.parse('2025-07-02T17:05:00Z');
export const BASE_STEP = 300_000;

/** The golden 1h three-symbol example, a 15m long/short and a 5m trailing-stop strategy. */
export const STRATEGY_FILES = ['/work/shared/golden/strategies/024_rsi-dip-example.json', 'examples/08_rsi-both-sides-15m.json', 'examples/09_ema-trailing-5m.json'];

export function loadDoc(file: string): StrategyDocument {
  const path = file.startsWith('/') ? file : new URL(file, ROOT);
  return parseStrategy(JSON.parse(readFileSync(path, 'utf8')));
}

/** Stores the whole embedded data set (the clock hides what is still in the future). */
export async function seedEmbedded(db: Db): Promise<void> {
  const dir = openCandleDirectory('embedded');
  for (const s of EMBEDDED_SYMBOLS) await saveCandles(db, dir.series(s, '5m'));
}

/**
 * Stores a strategy in `paper_trading` with a result judged the way a cycle judges it: a dataset of
 * the first 60 days, the in-sample result and, on its last third, the out-of-sample metrics.
 */
export async function promote(db: Db, doc: StrategyDocument, oos?: { sharpe: number; totalReturn: number }): Promise<string> {
  const { ids } = await saveStrategies(db, [{ document: doc, origin: 'user' }]);
  const id = ids[0] as string;
  const fromMs = Date.parse('2025-04-03T17:05:00Z');
  const { dataset, series } = await createDataset(db, { symbols: doc.symbols, timeframe: '5m', fromMs, toMs: fromMs + 60 * DAY, source: 'embedded' });
  const s = series.map((x) => resample(x, doc.timeframe, timeframeMs(doc.timeframe)));
  const n = (s[0] as CandleSeries).tsMs.length;
  const split = Math.floor((n * 2) / 3);
  const settings = { ...DEFAULT_SETTINGS };
  const inSample = toResult(doc, simulate(doc, s, settings, new IndicatorCache(), { to: split }), settings);
  const outOfSample = toResult(doc, simulate(doc, s, settings, new IndicatorCache(), { from: split }), settings).metrics;
  const row = await saveBacktestResult(db, { strategyId: id, datasetId: dataset.id, engineVersion: 'e1', result: inSample, passed: true });
  const o = oos ? { ...outOfSample, sharpe: oos.sharpe, totalReturn: oos.totalReturn } : outOfSample;
  await saveValidation(db.pool, row.id, {
    splitMs: (s[0] as CandleSeries).tsMs[split] as number,
    isScore: inSample.metrics.sharpe ?? 0,
    folds: [],
    oos: o,
    oosSharpe: o.sharpe,
    oosTotalReturn: o.totalReturn,
    oosTrades: o.trades,
    oosPassed: true,
    returnMoments: {},
    gridReturns: new Float64Array(0),
  });
  await db.pool.query(`UPDATE strategies SET status = 'paper_trading' WHERE id = $1`, [id]);
  return id;
}

/**
 * A plain backtest of the bars the paper trader had seen at `nowMs`, made without the paper
 * trader's code: stored 5m candles from the account's anchor, resampled, cut to the bars every
 * symbol has, simulated from the start bar.
 */
export async function referenceBacktest(db: Db, doc: StrategyDocument, a: PaperAccountRow, nowMs: number): Promise<{ result: BacktestResult; equity: Float64Array; tsMs: Float64Array }> {
  const toMs = Math.floor(nowMs / BASE_STEP) * BASE_STEP;
  const step = timeframeMs(doc.timeframe);
  const raw = await Promise.all(doc.symbols.map((symbol) => readCandles(db, { symbol, timeframe: '5m', fromMs: a.anchorMs, toMs })));
  raw.forEach((s) => validateSeries(s));
  const res = raw.map((s) => resample(s, doc.timeframe, step));
  const last = Math.min(...res.map((s) => s.tsMs[s.tsMs.length - 1] as number));
  const series = res.map((s) => sliceSeries(s, 0, (last - (s.tsMs[0] as number)) / step + 1));
  expect((series[0] as CandleSeries).tsMs[0], 'the series starts at the anchor').toBe(a.anchorMs);
  const from = (a.startMs - a.anchorMs) / step;
  const settings = { capital: a.capital, fee: a.feeRate, slippage: a.slippageRate };
  const run = simulate(doc, series, settings, new IndicatorCache(), { from });
  return { result: toResult(doc, run, settings), equity: run.equity, tsMs: run.tsMs };
}

export interface Agreement {
  bars: number;
  trades: number;
  open: number;
  /** Largest absolute difference over every equity point, trade price, qty, fee and P&L (0 = bit for bit). */
  maxAbsDiff: number;
}

/**
 * Asserts that a strategy's stored paper state equals the reference backtest: every closed trade
 * (all fields), the open positions (the backtest's end_of_data trades), every equity point, the
 * latest equity and the metrics. Returns the figures for the report.
 */
export async function expectPaperEqualsBacktest(db: Db, strategyId: string, doc: StrategyDocument, nowMs: number): Promise<Agreement> {
  const a = (await getPaperAccount(db.pool, strategyId)) as PaperAccountRow;
  expect(a, 'the account exists').not.toBeNull();
  const ref = await referenceBacktest(db, doc, a, nowMs);
  const label = `${doc.name} at ${new Date(nowMs).toISOString()}`;
  const closed = ref.result.trades.filter((t) => t.reason !== 'end_of_data');
  const open = ref.result.trades.filter((t) => t.reason === 'end_of_data');
  const paperTrades = await readPaperTrades(db.pool, strategyId);
  const eq = await readPaperEquity(db.pool, strategyId);
  let maxAbsDiff = 0;
  const d = (x: number, y: number) => (maxAbsDiff = Math.max(maxAbsDiff, Math.abs(x - y)));
  paperTrades.forEach((p, i) => {
    const b = closed[i];
    if (b) for (const k of ['entryPrice', 'exitPrice', 'qty', 'fees', 'pnl'] as const) d(p[k], b[k]);
  });
  eq.equity.forEach((v, i) => d(v, ref.equity[i] ?? NaN));
  expect(paperTrades, `${label}: closed paper trades = the backtest's trades, field for field`).toEqual(closed);
  expect(
    a.openPositions.map((o) => ({ symbol: o.symbol, side: o.side, entryTime: o.entryTime, entryPrice: o.entryPrice, qty: o.qty, markTime: o.markTime, unrealizedPnl: o.unrealizedPnl })),
    `${label}: open positions = the backtest's end_of_data trades`,
  ).toEqual(open.map((t) => ({ symbol: t.symbol, side: t.side, entryTime: t.entryTime, entryPrice: t.entryPrice, qty: t.qty, markTime: t.exitTime, unrealizedPnl: t.pnl })));
  expect(Array.from(eq.tsMs), `${label}: one equity point per bar`).toEqual(Array.from(ref.tsMs));
  expect(Array.from(eq.equity), `${label}: paper equity = backtest equity at every bar`).toEqual(Array.from(ref.equity));
  expect(a.equity, `${label}: latest equity`).toBe(ref.equity[ref.equity.length - 1]);
  expect(a.metrics, `${label}: metrics`).toEqual(ref.result.metrics);
  expect([a.bars, a.trades, a.lastBarMs], `${label}: counters`).toEqual([ref.result.bars, closed.length, ref.tsMs[ref.tsMs.length - 1]]);
  expect(maxAbsDiff, `${label}: to the cent`).toBeLessThan(0.005);
  return { bars: ref.result.bars, trades: closed.length, open: open.length, maxAbsDiff };
}
