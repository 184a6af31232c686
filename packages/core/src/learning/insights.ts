import type { Metrics } from '../engine/types.js';
import type { StrategyDocument } from '../genome/schema.js';
import { extractFeatures, type StrategyFeatures } from './features.js';
import { mean, pearson, quantile, sig } from './stats.js';

/** One tested strategy as the learner sees it. */
export interface Evaluated {
  hash: string;
  doc: StrategyDocument;
  metrics: Metrics;
  fitness: number;
  passed: boolean;
}

export interface FeatureCorrelation {
  feature: string;
  r: number;
  n: number;
}
export interface QuantileSegment {
  segment: string;
  n: number;
  fitnessFrom: number;
  fitnessTo: number;
  meanFitness: number;
  meanSharpe: number | null;
  meanReturn: number;
  meanTrades: number;
  passRate: number;
}
export interface ParameterRange {
  n: number;
  p10: number;
  p50: number;
  p90: number;
}
export interface Ranking {
  key: string;
  n: number;
  meanFitness: number;
  passRate: number;
  topShare: number;
}
export interface TagPattern {
  tags: string[];
  n: number;
  /** P(top quartile | tags) / P(top quartile) for success patterns, bottom quartile for failure ones. */
  lift: number;
  passRate: number;
  meanFitness: number;
}

/** The statistics a cycle stores as its learning insights. */
export interface LearningInsights {
  analysed: number;
  passed: number;
  passRate: number;
  correlations: FeatureCorrelation[];
  quantiles: QuantileSegment[];
  /** Parameter ranges among the top quartile by fitness. */
  parameterRanges: Record<string, ParameterRange>;
  indicatorRanking: Ranking[];
  timeframeRanking: Ranking[];
  successPatterns: TagPattern[];
  failurePatterns: TagPattern[];
}

const finite = (xs: number[]) => xs.filter(Number.isFinite);

/**
 * Statistics of which genes go with reward: correlation of every parameter and tag with
 * fitness, quartile segmentation, parameter ranges of the top quartile, indicator and
 * timeframe rankings, and success/failure tag patterns (single tags and pairs) by lift.
 */
export function computeInsights(items: readonly Evaluated[], opts: { minSupport?: number } = {}): LearningInsights {
  const n = items.length;
  const feats: StrategyFeatures[] = items.map((i) => extractFeatures(i.doc));
  const fitness = items.map((i) => i.fitness);
  const passed = items.filter((i) => i.passed).length;
  const sorted = [...fitness].sort((a, b) => a - b);
  const q25 = quantile(sorted, 0.25);
  const q75 = quantile(sorted, 0.75);
  const top = items.map((i) => i.fitness >= q75 && n >= 4);
  const bottom = items.map((i) => i.fitness <= q25 && n >= 4);
  const minSupport = opts.minSupport ?? Math.max(5, Math.ceil(n * 0.02));

  // Correlations: numeric params (over the strategies that have them) and tags as 0/1.
  const paramKeys = [...new Set(feats.flatMap((f) => Object.keys(f.params)))].sort();
  const tagKeys = [...new Set(feats.flatMap((f) => f.tags))].sort();
  const correlations: FeatureCorrelation[] = [];
  for (const k of paramKeys) {
    const xs: number[] = [];
    const ys: number[] = [];
    feats.forEach((f, i) => {
      const v = f.params[k];
      if (v !== undefined) {
        xs.push(v);
        ys.push(fitness[i] as number);
      }
    });
    const r = pearson(xs, ys);
    if (Number.isFinite(r) && xs.length >= minSupport) correlations.push({ feature: k, r: sig(r), n: xs.length });
  }
  for (const t of tagKeys) {
    const xs = feats.map((f) => (f.tags.includes(t) ? 1 : 0));
    const r = pearson(xs, fitness);
    const support = xs.reduce<number>((a, b) => a + b, 0);
    if (Number.isFinite(r) && support >= minSupport) correlations.push({ feature: t, r: sig(r), n: support });
  }
  correlations.sort((a, b) => Math.abs(b.r) - Math.abs(a.r));

  const quantiles: QuantileSegment[] = [];
  const order = items.map((_, i) => i).sort((a, b) => (fitness[a] as number) - (fitness[b] as number));
  for (let qi = 0; qi < 4 && n > 0; qi++) {
    const seg = order.slice(Math.floor((qi * n) / 4), Math.floor(((qi + 1) * n) / 4)).map((i) => items[i] as Evaluated);
    if (seg.length === 0) continue;
    const sharpes = seg.map((s) => s.metrics.sharpe).filter((x): x is number => x !== null);
    quantiles.push({
      segment: `Q${qi + 1}`,
      n: seg.length,
      fitnessFrom: sig((seg[0] as Evaluated).fitness),
      fitnessTo: sig((seg[seg.length - 1] as Evaluated).fitness),
      meanFitness: sig(mean(seg.map((s) => s.fitness))),
      meanSharpe: sharpes.length ? sig(mean(sharpes)) : null,
      meanReturn: sig(mean(seg.map((s) => s.metrics.totalReturn))),
      meanTrades: sig(mean(seg.map((s) => s.metrics.trades))),
      passRate: sig(seg.filter((s) => s.passed).length / seg.length),
    });
  }

  const parameterRanges: Record<string, ParameterRange> = {};
  for (const k of paramKeys) {
    const vals = finite(feats.filter((_, i) => top[i]).map((f) => f.params[k] as number)).sort((a, b) => a - b);
    if (vals.length >= 3) {
      parameterRanges[k] = { n: vals.length, p10: sig(quantile(vals, 0.1)), p50: sig(quantile(vals, 0.5)), p90: sig(quantile(vals, 0.9)) };
    }
  }

  const rank = (prefix: string): Ranking[] =>
    tagKeys
      .filter((t) => t.startsWith(prefix))
      .map((t) => {
        const idx = feats.map((f, i) => (f.tags.includes(t) ? i : -1)).filter((i) => i >= 0);
        return {
          key: t.slice(prefix.length),
          n: idx.length,
          meanFitness: sig(mean(idx.map((i) => fitness[i] as number))),
          passRate: sig(idx.filter((i) => items[i]?.passed).length / idx.length),
          topShare: sig(idx.filter((i) => top[i]).length / idx.length),
        };
      })
      .sort((a, b) => b.meanFitness - a.meanFitness);

  // Tag patterns: single tags and pairs with enough support, by lift over the base rate.
  const candidates: string[][] = tagKeys.map((t) => [t]);
  const informative = tagKeys.filter((t) => t.startsWith('ind:') || t.startsWith('timeframe:') || t.startsWith('stop:') || t.startsWith('side:'));
  for (let i = 0; i < informative.length; i++) for (let j = i + 1; j < informative.length; j++) candidates.push([informative[i] as string, informative[j] as string]);
  const patterns = (flags: boolean[]): TagPattern[] => {
    const base = flags.filter(Boolean).length / Math.max(1, n);
    if (base === 0) return [];
    const out: TagPattern[] = [];
    for (const tags of candidates) {
      const idx = feats.map((f, i) => (tags.every((t) => f.tags.includes(t)) ? i : -1)).filter((i) => i >= 0);
      if (idx.length < minSupport) continue;
      const rate = idx.filter((i) => flags[i]).length / idx.length;
      const lift = rate / base;
      if (lift > 1.2) {
        out.push({ tags, n: idx.length, lift: sig(lift), passRate: sig(idx.filter((i) => items[i]?.passed).length / idx.length), meanFitness: sig(mean(idx.map((i) => fitness[i] as number))) });
      }
    }
    return out.sort((a, b) => b.lift - a.lift || b.n - a.n).slice(0, 20);
  };

  return {
    analysed: n,
    passed,
    passRate: n === 0 ? 0 : sig(passed / n),
    correlations: correlations.slice(0, 40),
    quantiles,
    parameterRanges,
    indicatorRanking: rank('ind:'),
    timeframeRanking: rank('timeframe:'),
    successPatterns: patterns(top),
    failurePatterns: patterns(bottom),
  };
}
