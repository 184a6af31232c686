import { DataError, DEFAULT_SETTINGS, parseStrategy, StrategyValidationError, timeframeMs, type BacktestSettings, type StrategyDocument, type Timeframe } from '@mastertrade/core';
import {
  candleBounds,
  closePaperAccount,
  openPaperAccounts,
  paperCandidates,
  paperPoolCounts,
  reopenedPaperStrategies,
  restorePaperVerdict,
  savePaperProgress,
  setPaperVerdict,
  touchPaperAccounts,
  trackedPaperAccounts,
  type Db,
  type NewPaperAccount,
  type TrackedPaperAccount,
} from '@mastertrade/db';
import type { CandleFeed } from './candle-feed.js';
import type { PaperRules } from './env.js';
import { judgePaper, poolScore } from './judge.js';
import { runPaper } from './paper-run.js';

export const DAY_MS = 86_400_000;

export interface PaperLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface PaperDeps {
  db: Db;
  log: PaperLogger;
  feed: CandleFeed;
  rules: PaperRules;
}

export interface PaperStepReport {
  nowMs: number;
  /** Accounts opened for newly promoted strategies. */
  opened: number;
  /** Accounts that took in new bars. */
  processed: number;
  tradesInserted: number;
  /** Accounts that could not run this tick (a hole or invalid bar in their candles): they wait. */
  dataErrors: number;
  liveCandidates: string[];
  retired: { strategyId: string; reason: string }[];
}

const alignUp = (ms: number, step: number) => Math.ceil(ms / step) * step;

/** The account's engine settings: the costs and capital of the result it was promoted on. */
export const settingsOf = (a: { capital: number; feeRate: number; slippageRate: number }): BacktestSettings => ({ capital: a.capital, fee: a.feeRate, slippage: a.slippageRate });

/** Days covered by bars [start, last] of a timeframe step. */
export const paperDaysOf = (a: { startMs: number; lastBarMs: number | null }, stepMs: number): number =>
  a.lastBarMs === null ? 0 : (a.lastBarMs + stepMs - a.startMs) / DAY_MS;

/**
 * One tick of the paper trader at clock `nowMs` (wall clock live, virtual clock in replay):
 *
 * 1. opens an account for every strategy newly in `paper_trading` (promoted at min(now, its status
 *    change); first paper bar = first bar opening at or after that; warm-up anchor fixed);
 * 2. runs every tracked account over the bars closed by `nowMs` and stores, in one transaction
 *    per account, its new trades, equity points and state (see runPaper and savePaperProgress);
 * 3. judges accounts past PAPER_DAYS (live_candidate within LIVE_MAX, best first, or retired),
 *    re-judges live candidates, and retires the weakest beyond PAPER_MAX.
 *
 * Everything is recomputed from stored candles and stored state, so running a tick again (after
 * a crash, or twice) changes nothing; no timers, so tests drive it directly.
 */
export async function paperStep(deps: PaperDeps, opts: { nowMs: number }): Promise<PaperStepReport> {
  const { db, log, rules } = deps;
  const nowMs = opts.nowMs;
  const report: PaperStepReport = { nowMs, opened: 0, processed: 0, tradesInserted: 0, dataErrors: 0, liveCandidates: [], retired: [] };
  const retire = async (strategyId: string, reason: string) => {
    if (await setPaperVerdict(db, strategyId, 'retired', reason)) {
      report.retired.push({ strategyId, reason });
      log.info({ strategyId, reason }, 'paper strategy retired');
    }
  };

  report.opened = await openAccounts(deps, nowMs, retire);

  // A later cycle may put a strategy whose paper run already ended back into paper_trading: the verdict stands.
  for (const r of await reopenedPaperStrategies(db.pool)) {
    await restorePaperVerdict(db.pool, r.strategyId, r.status, r.reason);
    log.warn({ strategyId: r.strategyId, status: r.status }, 'strategy was put back into paper_trading after its paper verdict; verdict restored');
  }

  let firstError: unknown = null;
  const accounts = await trackedPaperAccounts(db.pool);
  const live: TrackedPaperAccount[] = [];
  const paper: TrackedPaperAccount[] = [];
  for (const a of accounts) {
    if (a.strategyStatus !== 'paper_trading' && a.strategyStatus !== 'live_candidate') {
      await closePaperAccount(db.pool, a.strategyId, `strategy left paper trading (status ${a.strategyStatus}${a.strategyReason ? `: ${a.strategyReason}` : ''})`);
      continue;
    }
    if (a.strategyStatus !== a.status) {
      await setPaperVerdict(db, a.strategyId, a.strategyStatus, a.strategyReason);
      a.status = a.strategyStatus;
    }
    let doc: StrategyDocument;
    try {
      doc = parseStrategy(a.document);
    } catch (err) {
      if (!(err instanceof StrategyValidationError)) throw err;
      await retire(a.strategyId, `invalid strategy document: ${err.message}`.slice(0, 2000));
      continue;
    }
    try {
      const r = await advance(deps, a, doc, nowMs);
      if (r) {
        report.processed++;
        report.tradesInserted += r.tradesInserted;
      }
    } catch (err) {
      if (err instanceof DataError) {
        report.dataErrors++;
        log.warn({ strategyId: a.strategyId, err: err.message }, 'paper account waits: data error in its candles');
      } else {
        log.error({ strategyId: a.strategyId, err: (err as Error).message }, 'paper account failed');
        firstError ??= err;
      }
    }
    (a.status === 'live_candidate' ? live : paper).push(a);
  }

  await judge(deps, live, paper, report, retire);
  await touchPaperAccounts(db.pool, accounts.map((a) => a.strategyId), nowMs);
  if (firstError) throw firstError;
  return report;
}

async function openAccounts(deps: PaperDeps, nowMs: number, retire: (id: string, reason: string) => Promise<void>): Promise<number> {
  const { db, log, rules } = deps;
  const rows: NewPaperAccount[] = [];
  for (const c of await paperCandidates(db.pool)) {
    let doc: StrategyDocument;
    try {
      doc = parseStrategy(c.document);
    } catch (err) {
      if (!(err instanceof StrategyValidationError)) throw err;
      await retire(c.strategyId, `invalid strategy document: ${err.message}`.slice(0, 2000));
      continue;
    }
    const step = timeframeMs(doc.timeframe);
    const bounds = await candleBounds(db.pool, doc.symbols, rules.baseTimeframe);
    const missing = doc.symbols.filter((s) => !bounds.has(s));
    if (missing.length > 0) {
      log.warn({ strategyId: c.strategyId, missing }, 'paper account not opened yet: no stored candles for some symbols');
      continue;
    }
    const promotedMs = Math.min(nowMs, c.updatedMs);
    const firstStored = Math.max(...doc.symbols.map((s) => (bounds.get(s) as { firstMs: number }).firstMs));
    let startMs = alignUp(promotedMs, step);
    const anchorMs = Math.max(alignUp(firstStored, step), startMs - rules.warmupBars * step);
    startMs = Math.max(startMs, anchorMs);
    const ref = c.reference;
    const settings = ref ? { capital: ref.capital, feeRate: ref.feeRate, slippageRate: ref.slippageRate } : { capital: DEFAULT_SETTINGS.capital, feeRate: DEFAULT_SETTINGS.fee, slippageRate: DEFAULT_SETTINGS.slippage };
    rows.push({
      strategyId: c.strategyId,
      timeframe: doc.timeframe,
      promotedMs,
      anchorMs,
      startMs,
      ...settings,
      resultId: ref?.resultId ?? null,
      oosSharpe: ref?.oosSharpe ?? null,
      oosTotalReturn: ref?.oosTotalReturn ?? null,
      oosDays: ref && ref.splitMs !== null ? (ref.toMs - ref.splitMs) / DAY_MS : null,
    });
  }
  const opened = await openPaperAccounts(db.pool, rows);
  if (opened > 0) log.info({ opened, nowMs: new Date(nowMs).toISOString() }, 'paper accounts opened');
  return opened;
}

/**
 * Runs an account over every bar closed by `nowMs` and stores what is new. Returns null when no
 * new bar is complete (or another tick got there first).
 */
async function advance(deps: PaperDeps, a: TrackedPaperAccount, doc: StrategyDocument, nowMs: number): Promise<{ tradesInserted: number } | null> {
  const step = timeframeMs(doc.timeframe);
  const next = a.lastBarMs === null ? a.startMs : a.lastBarMs + step;
  // The next bar is complete once all its base bars are: cheap check before reading anything.
  if (next + step > deps.feed.visibleBefore(nowMs)) return null;
  const series = await deps.feed.series(doc.symbols, doc.timeframe, a.anchorMs, nowMs);
  const run = runPaper(doc, series, settingsOf(a), a.startMs);
  if (!run) return null;
  const n = run.tsMs.length;
  const lastBarMs = run.tsMs[n - 1] as number;
  if (a.lastBarMs !== null && lastBarMs <= a.lastBarMs) return null;
  // Equity from the previous last bar on: its point changes when positions open there no longer close there.
  const from = a.lastBarMs === null ? 0 : (a.lastBarMs - a.startMs) / step;
  const sinceMs = a.lastBarMs ?? Number.NEGATIVE_INFINITY;
  const saved = await savePaperProgress(deps.db, {
    strategyId: a.strategyId,
    expectedLastBarMs: a.lastBarMs,
    lastBarMs,
    seenUntilMs: nowMs,
    bars: n,
    equity: run.equity[n - 1] as number,
    trades: run.closed.filter((t) => Date.parse(t.exitTime) >= sinceMs),
    equityPoints: { tsMs: run.tsMs.subarray(from), equity: run.equity.subarray(from) },
    openPositions: run.open,
    metrics: run.metrics,
    sharpe: run.metrics.sharpe,
    totalReturn: run.metrics.totalReturn,
    closedTrades: run.closed.length,
  });
  if (!saved.saved) return null;
  a.lastBarMs = lastBarMs;
  a.bars = n;
  a.trades = run.closed.length;
  a.sharpe = run.metrics.sharpe;
  a.totalReturn = run.metrics.totalReturn;
  a.equity = run.equity[n - 1] as number;
  return { tradesInserted: saved.tradesInserted };
}

async function judge(
  deps: PaperDeps,
  live: TrackedPaperAccount[],
  paper: TrackedPaperAccount[],
  report: PaperStepReport,
  retire: (id: string, reason: string) => Promise<void>,
): Promise<void> {
  const { db, log, rules } = deps;
  const verdictOf = (a: TrackedPaperAccount) =>
    judgePaper(
      {
        paperDays: paperDaysOf(a, timeframeMs(a.timeframe as Timeframe)),
        trades: a.trades,
        sharpe: a.sharpe,
        totalReturn: a.totalReturn ?? 0,
        oosSharpe: a.oosSharpe,
        oosTotalReturn: a.oosTotalReturn,
        oosDays: a.oosDays,
      },
      rules,
    );
  // Live candidates keep being paper traded and judged by the same rule: one that degrades frees its slot.
  for (const a of live) {
    const v = verdictOf(a);
    if (v.kind === 'fail') await retire(a.strategyId, `live candidate degraded: ${v.reason}`);
  }
  const counts = await paperPoolCounts(db.pool);
  let slots = Math.max(0, rules.liveMax - counts.liveCandidates);
  const passed: { a: TrackedPaperAccount; score: number; summary: string }[] = [];
  const staying: TrackedPaperAccount[] = [];
  for (const a of paper) {
    const v = verdictOf(a);
    if (v.kind === 'fail') await retire(a.strategyId, v.reason);
    else if (v.kind === 'pass') passed.push({ a, score: v.score, summary: v.summary });
    else staying.push(a);
  }
  passed.sort((x, y) => y.score - x.score || x.a.strategyId.localeCompare(y.a.strategyId));
  for (const p of passed) {
    if (slots > 0) {
      if (await setPaperVerdict(db, p.a.strategyId, 'live_candidate', p.summary)) {
        slots--;
        report.liveCandidates.push(p.a.strategyId);
        log.info({ strategyId: p.a.strategyId, reason: p.summary }, 'paper strategy is a live candidate');
      }
    } else if (paperDaysOf(p.a, timeframeMs(p.a.timeframe as Timeframe)) >= rules.maxPaperDays) {
      await retire(p.a.strategyId, `live candidate pool full (LIVE_MAX=${rules.liveMax}) until PAPER_MAX_DAYS; ${p.summary}`);
    } else {
      staying.push(p.a);
    }
  }
  // PAPER_MAX: the weakest leave first (paper Sharpe once it has enough trades, else the out-of-sample Sharpe).
  const others = Math.max(0, counts.paperTrading - paper.length);
  const excess = staying.length + others - rules.paperMax;
  if (excess > 0) {
    const ranked = staying
      .map((a) => ({ a, score: poolScore(a, rules.minTrades) }))
      .sort((x, y) => x.score - y.score || y.a.startMs - x.a.startMs || x.a.strategyId.localeCompare(y.a.strategyId));
    for (const { a, score } of ranked.slice(0, excess)) {
      await retire(a.strategyId, `paper pool full (PAPER_MAX=${rules.paperMax}): among the weakest (score ${Number.isFinite(score) ? score.toFixed(2) : 'none'})`);
    }
  }
}
