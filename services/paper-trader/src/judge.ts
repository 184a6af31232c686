import type { PaperRules } from './env.js';

/** What a verdict looks at: the paper run so far and the out-of-sample result it was promoted on. */
export interface JudgeInput {
  /** Days covered by the processed paper bars. */
  paperDays: number;
  /** Closed paper trades. */
  trades: number;
  sharpe: number | null;
  totalReturn: number;
  oosSharpe: number | null;
  oosTotalReturn: number | null;
  oosDays: number | null;
}

export type Verdict =
  /** Too early (or too few trades yet): keep paper trading. */
  | { kind: 'wait' }
  /** Within tolerance of its out-of-sample result; `score` ranks live candidates (paper Sharpe). */
  | { kind: 'pass'; score: number; summary: string }
  | { kind: 'fail'; reason: string };

const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`;
const num = (x: number) => x.toFixed(2);

/**
 * The return the out-of-sample pace (compounded per day) would have made over `days`; 0 without
 * an out-of-sample result.
 */
export function expectedReturn(oosTotalReturn: number | null, oosDays: number | null, days: number): number {
  if (oosTotalReturn === null || oosDays === null || !(oosDays > 0)) return 0;
  if (oosTotalReturn <= -1) return -1;
  return (1 + oosTotalReturn) ** (days / oosDays) - 1;
}

/**
 * The paper verdict (docs/adr/0002-paper-trading.md "Verdict"). After `paperDays` days with at least
 * `minTrades` closed trades, a strategy passes when BOTH
 *   paper Sharpe >= out-of-sample Sharpe - sharpeTolerance, and
 *   paper return >= expectedReturn(out-of-sample return over the same days) - returnTolerance;
 * else it fails (degraded). Without enough trades by `maxPaperDays` it fails too. A missing
 * out-of-sample Sharpe or return counts as 0; a paper Sharpe without variance counts as 0.
 */
export function judgePaper(i: JudgeInput, r: Pick<PaperRules, 'paperDays' | 'maxPaperDays' | 'minTrades' | 'sharpeTolerance' | 'returnTolerance'>): Verdict {
  if (i.paperDays < r.paperDays) return { kind: 'wait' };
  if (i.trades < r.minTrades) {
    return i.paperDays >= r.maxPaperDays
      ? { kind: 'fail', reason: `too few paper trades: ${i.trades} < ${r.minTrades} after ${i.paperDays.toFixed(1)} days` }
      : { kind: 'wait' };
  }
  const sharpe = i.sharpe ?? 0;
  const refSharpe = i.oosSharpe ?? 0;
  const refReturn = expectedReturn(i.oosTotalReturn, i.oosDays, i.paperDays);
  const problems: string[] = [];
  if (sharpe < refSharpe - r.sharpeTolerance) problems.push(`sharpe ${num(sharpe)} < out-of-sample ${num(refSharpe)} - ${num(r.sharpeTolerance)}`);
  if (i.totalReturn < refReturn - r.returnTolerance) problems.push(`return ${pct(i.totalReturn)} < out-of-sample pace ${pct(refReturn)} - ${pct(r.returnTolerance)}`);
  const over = `over ${i.paperDays.toFixed(1)} days, ${i.trades} trades`;
  if (problems.length > 0) return { kind: 'fail', reason: `paper degraded ${over}: ${problems.join('; ')}` };
  return { kind: 'pass', score: sharpe, summary: `paper sharpe ${num(sharpe)} (out-of-sample ${num(refSharpe)}), return ${pct(i.totalReturn)} (pace ${pct(refReturn)}) ${over}` };
}

/**
 * Rank for the PAPER_MAX bound (higher is stronger): the paper Sharpe once the run has
 * `minTrades` closed trades, else the out-of-sample Sharpe it was promoted on (-Infinity without).
 */
export function poolScore(a: { trades: number; sharpe: number | null; oosSharpe: number | null }, minTrades: number): number {
  if (a.trades >= minTrades && a.sharpe !== null) return a.sharpe;
  return a.oosSharpe ?? Number.NEGATIVE_INFINITY;
}
