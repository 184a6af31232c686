import { IndicatorCache, simulate, toResult, type BacktestSettings, type CandleSeries, type Metrics, type StrategyDocument } from '@mastertrade/core';
import type { PaperOpenPosition, PaperTradeRow } from '@mastertrade/db';

/** What the paper trader knows after the bars it has seen: one backtest over exactly those bars. */
export interface PaperRun {
  /** Index in the series of the first paper bar. */
  startIndex: number;
  /** Open times of the paper bars (start bar .. last complete bar). */
  tsMs: Float64Array;
  /** Equity at each paper bar close; at the last bar, open positions are valued as closed there (the backtest's last point). */
  equity: Float64Array;
  /** Closed trades in result order. */
  closed: PaperTradeRow[];
  /** Positions open at the last bar (the backtest closes them there as `end_of_data`; paper keeps them open). */
  open: PaperOpenPosition[];
  /** The engine's metrics over the paper bars. */
  metrics: Metrics;
}

/**
 * Runs a strategy forward from its first paper bar with the backtest engine itself: `simulate`
 * over series that start at the account's fixed anchor (the bars before the start bar are
 * indicator warm-up, as in every backtest with a range), trading only bars [start, last]. The
 * result is by construction a backtest over the same bars; the engine never reads a bar after
 * the one it acts on, so a later run over more bars repeats every earlier trade and equity point
 * (the last point aside, where positions are closed). Null before the first paper bar exists.
 */
export function runPaper(doc: StrategyDocument, series: readonly CandleSeries[], settings: BacktestSettings, startMs: number): PaperRun | null {
  const first = series[0];
  if (!first || first.tsMs.length === 0) return null;
  const startIndex = (startMs - (first.tsMs[0] as number)) / first.stepMs;
  if (!Number.isInteger(startIndex) || startIndex < 0) throw new Error(`runPaper: the series starts at ${new Date(first.tsMs[0] as number).toISOString()}, not on or before the start bar`);
  if (startIndex >= first.tsMs.length) return null;
  const run = simulate(doc, series, settings, new IndicatorCache(), { from: startIndex });
  const result = toResult(doc, run, settings);
  const lastIndex = run.tsMs.length - 1;
  const closed: PaperTradeRow[] = [];
  const open: PaperOpenPosition[] = [];
  for (const t of result.trades) {
    if (t.reason === 'end_of_data') {
      const s = series[doc.symbols.indexOf(t.symbol)] as CandleSeries;
      open.push({
        symbol: t.symbol,
        side: t.side,
        entryTime: t.entryTime,
        entryPrice: t.entryPrice,
        qty: t.qty,
        markTime: t.exitTime,
        markPrice: s.close[startIndex + lastIndex] as number,
        unrealizedPnl: t.pnl,
      });
    } else {
      closed.push({ ...t });
    }
  }
  return { startIndex, tsMs: run.tsMs, equity: run.equity, closed, open, metrics: result.metrics };
}
