import type { StrategyDocument } from '../genome/schema.js';
import type { Rng } from '../util/rng.js';
import { extractFeatures } from './features.js';
import type { Evaluated } from './insights.js';
import { quantile } from './stats.js';

/**
 * A learned pattern: a timeframe and the shapes of the entry conditions (see features.ts),
 * with a discounted Beta-Bernoulli posterior of "a strategy of this shape succeeds". Sampling
 * patterns by Thompson sampling from these posteriors is a multi-armed bandit: shapes that
 * keep succeeding are drawn more often, uncertain ones still get explored, and the discount
 * lets old evidence fade as markets change (discounted Thompson sampling).
 */
export interface PatternState {
  key: string;
  /** Discounted success and failure counts (the Beta posterior is Beta(1 + successes, 1 + failures)). */
  successes: number;
  failures: number;
  /** Strategies of this shape seen in all cycles (not discounted). */
  seen: number;
  meanFitness: number;
  bestFitness: number;
  bestHash: string;
  bestDoc: StrategyDocument;
}

export interface PatternUpdateOptions {
  /** Weight kept by old evidence each cycle (1 = never forget). */
  discount?: number;
  /** Keep at most this many patterns (the most promising by posterior mean). */
  maxPatterns?: number;
}

/**
 * One bandit update from a cycle's results. Success = passed the filters, or fitness in the
 * cycle's top quartile (a relative signal, so early cycles where nothing passes still teach).
 */
export function updatePatterns(prev: readonly PatternState[], results: readonly Evaluated[], opts: PatternUpdateOptions = {}): PatternState[] {
  const discount = opts.discount ?? 0.9;
  const maxPatterns = opts.maxPatterns ?? 200;
  const q75 = quantile(
    results.map((r) => r.fitness).sort((a, b) => a - b),
    0.75,
  );
  const byKey = new Map<string, PatternState>();
  for (const p of prev) byKey.set(p.key, { ...p, successes: p.successes * discount, failures: p.failures * discount });
  for (const r of results) {
    const key = extractFeatures(r.doc).pattern;
    const success = r.passed || (results.length >= 4 && r.fitness >= q75);
    const p = byKey.get(key) ?? { key, successes: 0, failures: 0, seen: 0, meanFitness: 0, bestFitness: -Infinity, bestHash: r.hash, bestDoc: r.doc };
    p.meanFitness = (p.meanFitness * p.seen + r.fitness) / (p.seen + 1);
    p.seen++;
    if (success) p.successes++;
    else p.failures++;
    if (r.fitness > p.bestFitness) {
      p.bestFitness = r.fitness;
      p.bestHash = r.hash;
      p.bestDoc = r.doc;
    }
    byKey.set(key, p);
  }
  const posteriorMean = (p: PatternState) => (1 + p.successes) / (2 + p.successes + p.failures);
  return [...byKey.values()].sort((a, b) => posteriorMean(b) - posteriorMean(a) || b.bestFitness - a.bestFitness).slice(0, maxPatterns);
}

function normal(rng: Rng): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Gamma(shape, 1) by Marsaglia and Tsang (shape < 1 boosted). */
function gamma(rng: Rng, shape: number): number {
  if (shape < 1) return gamma(rng, shape + 1) * rng.next() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

export function sampleBeta(rng: Rng, a: number, b: number): number {
  const x = gamma(rng, a);
  const y = gamma(rng, b);
  return x / (x + y);
}

/** Thompson sampling: draw each pattern's success probability from its posterior, take the best. */
export function thompsonPick(patterns: readonly PatternState[], rng: Rng): PatternState | null {
  let best: PatternState | null = null;
  let bestDraw = -1;
  for (const p of patterns) {
    const draw = sampleBeta(rng, 1 + p.successes, 1 + p.failures);
    if (draw > bestDraw) {
      bestDraw = draw;
      best = p;
    }
  }
  return best;
}
