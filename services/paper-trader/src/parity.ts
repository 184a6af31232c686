import { DataError, IndicatorCache, parseStrategy, simulate, StrategyValidationError, timeframeMs, toResult, type StrategyDocument, type Timeframe, type TradeJson } from '@mastertrade/core';
import { paperAccountsWithBars, parityDays, readPaperEquity, readPaperTrades, saveParityRows, setPaperVerdict, type PaperTradeRow, type ParityRow } from '@mastertrade/db';
import { DAY_MS, settingsOf, type PaperDeps } from './paper-step.js';

/** Relative difference above which two prices or quantities differ (float64 noise is ~1e-16). */
export const PRICE_REL_TOL = 1e-9;

type ComparableTrade = Pick<TradeJson, 'symbol' | 'side' | 'entryTime' | 'entryPrice' | 'exitTime' | 'exitPrice' | 'qty' | 'pnl'>;

export interface TradeDiff {
  /** Backtest trades the paper trader does not have. */
  missed: number;
  /** Paper trades the backtest does not have. */
  extra: number;
  /** Matched (same symbol and entry bar) but side, exit bar, entry/exit price or qty differ. */
  priceDiffs: number;
  /** Largest absolute P&L difference (a missed or extra trade counts with its whole P&L). */
  maxAbsDiff: number;
  detail: Record<string, unknown>[];
}

const relDiff = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), Number.MIN_VALUE);
const DETAIL_MAX = 10;

/** Trade-by-trade diff of a backtest's trades against the paper trader's (key: symbol + entry bar). */
export function diffTrades(backtest: readonly ComparableTrade[], paper: readonly ComparableTrade[]): TradeDiff {
  const key = (t: ComparableTrade) => `${t.symbol}|${t.entryTime}`;
  const byKey = new Map(paper.map((t) => [key(t), t]));
  const d: TradeDiff = { missed: 0, extra: 0, priceDiffs: 0, maxAbsDiff: 0, detail: [] };
  const note = (x: Record<string, unknown>) => {
    if (d.detail.length < DETAIL_MAX) d.detail.push(x);
  };
  for (const b of backtest) {
    const p = byKey.get(key(b));
    if (!p) {
      d.missed++;
      d.maxAbsDiff = Math.max(d.maxAbsDiff, Math.abs(b.pnl));
      note({ kind: 'missed', symbol: b.symbol, entryTime: b.entryTime, exitTime: b.exitTime, pnl: b.pnl });
      continue;
    }
    byKey.delete(key(b));
    d.maxAbsDiff = Math.max(d.maxAbsDiff, Math.abs(b.pnl - p.pnl));
    const fields: string[] = [];
    if (b.side !== p.side) fields.push('side');
    if (b.exitTime !== p.exitTime) fields.push('exitTime');
    if (relDiff(b.entryPrice, p.entryPrice) > PRICE_REL_TOL) fields.push('entryPrice');
    if (relDiff(b.exitPrice, p.exitPrice) > PRICE_REL_TOL) fields.push('exitPrice');
    if (relDiff(b.qty, p.qty) > PRICE_REL_TOL) fields.push('qty');
    if (fields.length > 0) {
      d.priceDiffs++;
      note({ kind: 'differs', symbol: b.symbol, entryTime: b.entryTime, fields, backtest: pick(b), paper: pick(p) });
    }
  }
  for (const p of byKey.values()) {
    d.extra++;
    d.maxAbsDiff = Math.max(d.maxAbsDiff, Math.abs(p.pnl));
    note({ kind: 'extra', symbol: p.symbol, entryTime: p.entryTime, exitTime: p.exitTime, pnl: p.pnl });
  }
  return d;
}

const pick = (t: ComparableTrade) => ({ side: t.side, exitTime: t.exitTime, entryPrice: t.entryPrice, exitPrice: t.exitPrice, qty: t.qty, pnl: t.pnl });

export interface ParityReport {
  /** Ledger rows written this run. */
  days: number;
  drifted: { strategyId: string; day: string; reason: string }[];
}

const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The parity ledger: for every paper day (UTC) an account has fully processed and the ledger
 * lacks, re-run the backtester over exactly the bars the paper trader had seen by the end of that
 * day (the account's anchor up to the day's last bar, trading from its start bar) and diff the
 * day's trades (by exit bar) with the stored paper trades, and the day's equity points with the
 * stored ones. Drift beyond PARITY_MAX_MISMATCHES or PARITY_MAX_ABS_DIFF retires a strategy still
 * in paper trading or a live candidate (`parity drift: ...`). Each day is written once.
 */
export async function runParityLedger(deps: PaperDeps, opts: { nowMs: number }): Promise<ParityReport> {
  const { db, log } = deps;
  const report: ParityReport = { days: 0, drifted: [] };
  for (const a of await paperAccountsWithBars(db.pool)) {
    const step = timeframeMs(a.timeframe as Timeframe);
    const seenEnd = (a.lastBarMs as number) + step;
    const firstDay = Math.floor(a.startMs / DAY_MS) * DAY_MS;
    if (firstDay + DAY_MS > Math.min(seenEnd, opts.nowMs)) continue;
    const done = await parityDays(db.pool, a.strategyId);
    let doc: StrategyDocument;
    try {
      doc = parseStrategy(a.document);
    } catch (err) {
      if (err instanceof StrategyValidationError) continue;
      throw err;
    }
    const rows: ParityRow[] = [];
    for (let day = firstDay; day + DAY_MS <= Math.min(seenEnd, opts.nowMs); day += DAY_MS) {
      if (done.has(dayText(day))) continue;
      let row: ParityRow;
      try {
        row = await checkDay(deps, a, doc, day);
      } catch (err) {
        if (!(err instanceof DataError)) throw err;
        log.warn({ strategyId: a.strategyId, day: dayText(day), err: err.message }, 'parity day waits: data error in its candles');
        break;
      }
      rows.push(row);
      if (row.drift) {
        const reason = `parity drift: ${row.day}: missed ${row.missed}, extra ${row.extra}, price diffs ${row.priceDiffs}, max abs diff ${row.maxAbsDiff.toPrecision(4)}`;
        report.drifted.push({ strategyId: a.strategyId, day: row.day, reason });
      }
    }
    await saveParityRows(db.pool, rows);
    report.days += rows.length;
    const drift = report.drifted.find((d) => d.strategyId === a.strategyId);
    if (drift && a.status !== 'retired') {
      if (await setPaperVerdict(db, a.strategyId, 'retired', drift.reason)) log.warn({ strategyId: a.strategyId, reason: drift.reason }, 'paper strategy retired');
    }
  }
  return report;
}

async function checkDay(
  deps: PaperDeps,
  a: Awaited<ReturnType<typeof paperAccountsWithBars>>[number],
  doc: StrategyDocument,
  day: number,
): Promise<ParityRow> {
  const { db, rules, feed } = deps;
  const dayEnd = day + DAY_MS;
  const series = await feed.series(doc.symbols, doc.timeframe, a.anchorMs, dayEnd);
  const first = series[0];
  const step = timeframeMs(doc.timeframe);
  const from = first && first.tsMs.length > 0 ? (a.startMs - (first.tsMs[0] as number)) / step : -1;
  const bars = first ? first.tsMs.length - from : 0;
  if (!first || from < 0 || !Number.isInteger(from) || bars <= 0 || (first.tsMs[first.tsMs.length - 1] as number) + step !== dayEnd) {
    throw new DataError('empty', doc.symbols[0] ?? '?', doc.timeframe, day, `the candles the paper trader saw up to ${new Date(dayEnd).toISOString()} are not all stored`);
  }
  const settings = settingsOf(a);
  const run = simulate(doc, series, settings, new IndicatorCache(), { from });
  const result = toResult(doc, run, settings);
  const inDay = (iso: string) => {
    const t = Date.parse(iso);
    return t >= day && t < dayEnd;
  };
  const btTrades = result.trades.filter((t) => t.reason !== 'end_of_data' && inDay(t.exitTime));
  const endsOpen = result.trades.some((t) => t.reason === 'end_of_data');
  const paperTrades: PaperTradeRow[] = await readPaperTrades(db.pool, a.strategyId, { fromMs: day, toMs: dayEnd });
  const diff = diffTrades(btTrades, paperTrades);

  // Equity at the day's bar closes. The run's last bar is compared only where the paper trader
  // also valued open positions as closed there (it was its last bar) or nothing was open.
  const eq = await readPaperEquity(db.pool, a.strategyId, { fromMs: day, toMs: dayEnd });
  const paperAt = new Map<number, number>();
  eq.tsMs.forEach((t, i) => paperAt.set(t, eq.equity[i] as number));
  let equityMismatches = 0;
  let dayBars = 0;
  const lastTs = run.tsMs[run.tsMs.length - 1] as number;
  for (let i = 0; i < run.tsMs.length; i++) {
    const t = run.tsMs[i] as number;
    if (t < day) continue;
    dayBars++;
    if (t === lastTs && endsOpen && a.lastBarMs !== lastTs) continue;
    const p = paperAt.get(t);
    if (p === undefined) {
      equityMismatches++;
      if (diff.detail.length < DETAIL_MAX) diff.detail.push({ kind: 'equity_missing', time: new Date(t).toISOString() });
      continue;
    }
    const dAbs = Math.abs(p - (run.equity[i] as number));
    if (dAbs > diff.maxAbsDiff) diff.maxAbsDiff = dAbs;
    if (dAbs > rules.parityMaxAbsDiff && diff.detail.length < DETAIL_MAX) diff.detail.push({ kind: 'equity', time: new Date(t).toISOString(), backtest: run.equity[i], paper: p });
  }
  const mismatches = diff.missed + diff.extra + diff.priceDiffs;
  return {
    strategyId: a.strategyId,
    day: dayText(day),
    bars: dayBars,
    paperTrades: paperTrades.length,
    backtestTrades: btTrades.length,
    missed: diff.missed,
    extra: diff.extra,
    priceDiffs: diff.priceDiffs,
    maxAbsDiff: diff.maxAbsDiff,
    drift: mismatches > rules.parityMaxMismatches || diff.maxAbsDiff > rules.parityMaxAbsDiff || equityMismatches > 0,
    detail: diff.detail,
  };
}
