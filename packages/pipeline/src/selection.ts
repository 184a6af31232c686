import {
  deflatedSharpe,
  probabilityOfBacktestOverfitting,
  type Metrics,
  type PboResult,
  type ReturnMoments,
} from '@mastertrade/core';

/** What the learner knows of one tested strategy when it selects for paper trading. */
export interface SelectionItem {
  hash: string;
  /** In-sample walk-forward score (or plain fitness for results without one). */
  score: number;
  passed: boolean;
  metrics: Metrics;
  oosPassed: boolean | null;
  oosFailures: string[];
  gridMoments: ReturnMoments | null;
  gridReturns: Float64Array | null;
}

export interface SelectionRules {
  maxPromoted: number;
  minTrades: number;
  minDsr: number;
  requireOos: boolean;
}

export interface Judged extends SelectionItem {
  dsr: number | null;
  /** Why it is not a promotion candidate (empty for candidates). */
  blockers: string[];
}

export interface SelectionReport {
  judged: Judged[];
  /** Best first; the bias gate still has to clear them. */
  candidates: Judged[];
  trials: number;
  trialsSharpeVariance: number;
  expectedMaxSharpe: number;
  pbo: PboResult | null;
}

/**
 * Honest selection over a cycle's trials: the deflated Sharpe ratio of every passing strategy
 * against the number and spread of ALL trials (survivors are not the sample), the cycle's
 * probability of backtest overfitting over every tested strategy's returns on the common grid,
 * and the promotion candidates: passed in sample, passed out of sample, DSR >= minDsr, enough
 * trades, ranked by the in-sample walk-forward score. `pbo`, when given, is the PBO of
 * pboSeries(items) computed elsewhere (the learner's PBO thread); otherwise it is computed here.
 */
export function judge(items: readonly SelectionItem[], rules: SelectionRules, pboBlocks = 16, pbo?: PboResult | null): SelectionReport {
  const withGrid = items.filter((i) => i.gridMoments && i.gridMoments.n > 1);
  const srs = withGrid.map((i) => (i.gridMoments as ReturnMoments).sharpe);
  const meanSr = srs.reduce((a, b) => a + b, 0) / Math.max(1, srs.length);
  const variance = srs.length > 1 ? srs.reduce((a, b) => a + (b - meanSr) ** 2, 0) / (srs.length - 1) : 0;
  const trials = items.length;
  let expectedMax = 0;
  const judged: Judged[] = items.map((i) => {
    const blockers: string[] = [];
    let dsr: number | null = null;
    if (i.passed && i.gridMoments && i.gridMoments.n > 1) {
      const d = deflatedSharpe({ sharpe: i.gridMoments.sharpe, n: i.gridMoments.n, skew: i.gridMoments.skew, kurtosis: i.gridMoments.kurtosis, trials, trialsSharpeVariance: variance });
      dsr = d.dsr;
      expectedMax = d.expectedMaxSharpe;
    }
    if (!i.passed) blockers.push('failed the in-sample filters');
    if (i.metrics.trades < rules.minTrades) blockers.push(`${i.metrics.trades} trades < ${rules.minTrades} needed to promote`);
    if (rules.requireOos && i.oosPassed !== true) blockers.push(...(i.oosFailures.length ? i.oosFailures : ['no out-of-sample result']));
    if (i.passed && (dsr === null || dsr < rules.minDsr)) blockers.push(`deflated Sharpe ${dsr === null ? 'undefined' : dsr.toFixed(3)} < ${rules.minDsr} over ${trials} trials`);
    return { ...i, dsr, blockers };
  });
  const candidates = judged.filter((j) => j.blockers.length === 0 && Number.isFinite(j.score)).sort((a, b) => b.score - a.score);
  if (pbo === undefined) {
    const series = pboSeries(items);
    pbo = series ? probabilityOfBacktestOverfitting(series, pboBlocks) : null;
  }
  return { judged, candidates, trials, trialsSharpeVariance: variance, expectedMaxSharpe: expectedMax, pbo };
}

/** The grid returns the cycle's PBO is computed over (every item with a grid), or null when there is no PBO to compute (fewer than two, or unequal lengths). */
export function pboSeries(items: readonly SelectionItem[]): Float64Array[] | null {
  const series = items.filter((i) => i.gridMoments && i.gridMoments.n > 1).map((i) => i.gridReturns as Float64Array);
  const sameLength = series.length > 1 && series.every((g) => g.length === (series[0] as Float64Array).length);
  return sameLength ? series : null;
}

/** A compact histogram of PBO logits for the insights (bins of width 0.5 from -5 to 5). */
export function logitHistogram(logits: readonly number[]): { from: number; to: number; count: number }[] {
  const bins = Array.from({ length: 20 }, (_, i) => ({ from: -5 + i * 0.5, to: -4.5 + i * 0.5, count: 0 }));
  for (const l of logits) {
    const i = Math.min(19, Math.max(0, Math.floor((l + 5) / 0.5)));
    (bins[i] as { count: number }).count++;
  }
  return bins;
}
