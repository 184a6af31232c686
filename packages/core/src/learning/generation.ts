import type { Timeframe } from '../candles/timeframe.js';
import { strategyHash } from '../genome/canonical.js';
import { crossover, mutate, tournament } from '../genome/operators.js';
import { randomStrategy } from '../genome/random.js';
import { strategySchema, type IndicatorOperand, type Operand, type StrategyDocument, type StrategySide } from '../genome/schema.js';
import { randInt, type Rng } from '../util/rng.js';
import { sha256Hex } from '../util/sha256.js';
import { extractFeatures } from './features.js';
import type { ParameterRange } from './insights.js';
import { thompsonPick, type PatternState } from './patterns.js';

export type Origin = 'ga' | 'pattern' | 'random' | 'user';

export interface Candidate {
  doc: StrategyDocument;
  hash: string;
  origin: Origin;
  /** Hashes of the parents (GA), or of the pattern's template (pattern); empty for random. */
  parents: string[];
}

export interface PopulationMember {
  hash: string;
  doc: StrategyDocument;
  fitness: number;
}

/** GA settings (issue defaults). */
export interface GaParams {
  populationSize: number;
  eliteFraction: number;
  crossoverRate: number;
  mutationRate: number;
  tournamentSize: number;
  /** Share of a cycle bred by the GA once the population is mature (the rest: patterns and random). */
  gaShare: number;
  patternShare: number;
  /** Random share while the population is young (smaller than populationSize); 0.05 afterwards. */
  youngRandomShare: number;
}

export const DEFAULT_GA: Readonly<GaParams> = Object.freeze({
  populationSize: 100,
  eliteFraction: 0.1,
  crossoverRate: 0.7,
  mutationRate: 0.15,
  tournamentSize: 3,
  gaShare: 0.7,
  patternShare: 0.3,
  youngRandomShare: 0.1,
});

export interface GenerationPlan {
  count: number;
  population: readonly PopulationMember[];
  patterns: readonly PatternState[];
  /** Top-quartile parameter ranges from the latest insights, used to resample pattern templates. */
  ranges: Readonly<Record<string, ParameterRange>>;
  /** Hashes already tested on this dataset: never generated again. */
  seen: ReadonlySet<string>;
  symbols: readonly string[];
  timeframes?: readonly Timeframe[];
  rng: Rng;
  ga?: Partial<GaParams>;
}

/** How many of each origin a cycle of `count` gets, given the population's age. */
export function originQuotas(count: number, populationSize: number, patterns: number, ga: GaParams): Record<'ga' | 'pattern' | 'random', number> {
  if (populationSize < 2) return { ga: 0, pattern: 0, random: count };
  const young = populationSize < ga.populationSize;
  const random = Math.max(1, Math.round(count * (young ? ga.youngRandomShare : 0.05)));
  const pattern = patterns > 0 ? Math.round(count * ga.patternShare) : 0;
  return { ga: Math.max(0, count - random - pattern), pattern: Math.min(pattern, count - random), random };
}

/**
 * Builds a cycle's strategy documents: elites and GA children (tournament selection,
 * crossover, mutation), pattern samples (Thompson-sampled templates resampled within the
 * learned ranges) and random ones, all valid, deduplicated by hash against `seen` and each
 * other. Deterministic for a given rng seed and inputs.
 */
export function generateCandidates(plan: GenerationPlan): Candidate[] {
  const ga: GaParams = { ...DEFAULT_GA, ...plan.ga };
  const { rng, count } = plan;
  const seen = new Set(plan.seen);
  const out: Candidate[] = [];
  const timeframes = plan.timeframes;
  const allowed = (d: StrategyDocument) => !timeframes || timeframes.includes(d.timeframe);
  const fitSymbols = (d: StrategyDocument): StrategyDocument => {
    const symbols = d.symbols.filter((s) => plan.symbols.includes(s));
    return symbols.length === d.symbols.length ? d : { ...d, symbols: symbols.length ? symbols : [plan.symbols[0] as string] };
  };
  const push = (raw: StrategyDocument, origin: Origin, parents: string[]): boolean => {
    const doc = fitSymbols(raw);
    if (!allowed(doc)) return false;
    const hash = strategyHash(doc);
    if (seen.has(hash)) return false;
    seen.add(hash);
    out.push({ doc: { ...doc, name: nameFor(doc, origin, hash) }, hash, origin, parents });
    return true;
  };
  const pop = [...plan.population].sort((a, b) => b.fitness - a.fitness);
  const quotas = originQuotas(count, pop.length, plan.patterns.length, ga);
  const attempts = (n: number) => n * 20 + 50;

  // GA: elites first (re-tested on new data; skipped if this dataset already has them), then children.
  const target = { ga: quotas.ga, pattern: quotas.ga + quotas.pattern };
  const elites = pop.slice(0, Math.round(ga.eliteFraction * Math.min(pop.length, ga.populationSize)));
  for (const e of elites) if (out.length < target.ga) push(e.doc, 'ga', [e.hash]);
  for (let i = 0; out.length < target.ga && i < attempts(quotas.ga); i++) {
    const a = tournament(pop, rng, ga.tournamentSize);
    let child = a.doc;
    const parents = [a.hash];
    if (rng.next() < ga.crossoverRate) {
      const b = tournament(pop, rng, ga.tournamentSize);
      child = crossover(a.doc, b.doc, rng);
      if (b.hash !== a.hash) parents.push(b.hash);
    }
    push(mutate(child, rng, ga.mutationRate), 'ga', parents);
  }
  for (let i = 0; out.length < target.pattern && i < attempts(quotas.pattern); i++) {
    const p = thompsonPick(plan.patterns, rng);
    if (!p) break;
    push(resampleWithin(p.bestDoc, plan.ranges, rng), 'pattern', [p.bestHash]);
  }
  for (let i = 0; out.length < count && i < attempts(count); i++) {
    push(randomStrategy(rng, { symbols: plan.symbols, ...(timeframes ? { timeframes } : {}) }), 'random', []);
  }
  return out;
}

function nameFor(doc: StrategyDocument, origin: Origin, hash: string): string {
  return `${origin}-${doc.type.replace('_', '-')}-${doc.timeframe}-${hash.slice(0, 8)}`;
}

/**
 * A pattern sample: the template's shape kept, each numeric gene redrawn (probability 1/2)
 * inside the learned top-quartile range [p10, p90] for that parameter, or jittered by up to
 * 20% where nothing was learned yet.
 */
export function resampleWithin(doc: StrategyDocument, ranges: Readonly<Record<string, ParameterRange>>, rng: Rng): StrategyDocument {
  const draw = (key: string, value: number, integer: boolean): number => {
    if (rng.next() < 0.5) return value;
    const r = ranges[key];
    const x = r && r.p90 > r.p10 ? r.p10 + rng.next() * (r.p90 - r.p10) : value * (0.8 + rng.next() * 0.4);
    return integer ? Math.round(x) : Number(x.toPrecision(4));
  };
  const operand = (o: Operand): Operand => {
    if (typeof o === 'number') return o;
    const x: IndicatorOperand = { ...o };
    if (x.ind === 'macd') {
      x.fast = clampInt(draw('macd.fast', x.fast, true), 2, 499);
      x.slow = clampInt(draw('macd.slow', x.slow, true), x.fast + 1, 500);
      x.signal = clampInt(draw('macd.signal', x.signal, true), 2, 500);
    } else if (x.ind === 'bb') {
      x.period = clampInt(draw('bb.period', x.period, true), 2, 500);
      x.k = Math.min(5, Math.max(0.1, draw('bb.k', x.k, false)));
    } else if ('period' in x) x.period = clampInt(draw(`${x.ind}.period`, x.period, true), 2, 500);
    return x;
  };
  const side = (s: StrategySide | null): StrategySide | null =>
    s && {
      entry: s.entry.map((c) => ({ a: operand(c.a), op: c.op, b: typeof c.b === 'number' && typeof c.a !== 'number' ? draw(`${c.a.ind}.threshold`, c.b, false) : operand(c.b) })),
      exit: s.exit.map((c) => ({ a: operand(c.a), op: c.op, b: operand(c.b) })),
    };
  const frac = (key: string, v: number | null) => (v === null ? null : Math.min(0.95, Math.max(0.0005, draw(key, v, false))));
  return strategySchema.parse({
    ...doc,
    long: side(doc.long),
    short: side(doc.short),
    risk: {
      size: Math.min(1, Math.max(0.05, draw('risk.size', doc.risk.size, false))),
      leverage: Math.min(5, Math.max(1, draw('risk.leverage', doc.risk.leverage, false))),
      stopLoss: frac('risk.stopLoss', doc.risk.stopLoss),
      takeProfit: frac('risk.takeProfit', doc.risk.takeProfit),
      trailingStop: frac('risk.trailingStop', doc.risk.trailingStop),
    },
  });
}

const clampInt = (x: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.round(x)));

/**
 * The next GA population: the previous members and this cycle's evaluated strategies merged
 * by hash (the newest fitness wins: it was measured on the newest data), best first, at most
 * `maxPerPattern` members of one pattern (niching keeps the population diverse), `size` in all.
 */
export function updatePopulation(
  prev: readonly PopulationMember[],
  evaluated: readonly PopulationMember[],
  size = DEFAULT_GA.populationSize,
  maxPerPattern = 5,
): PopulationMember[] {
  const byHash = new Map<string, PopulationMember>();
  for (const m of prev) byHash.set(m.hash, m);
  for (const m of evaluated) byHash.set(m.hash, m);
  const perPattern = new Map<string, number>();
  const out: PopulationMember[] = [];
  for (const m of [...byHash.values()].sort((a, b) => b.fitness - a.fitness || (a.hash < b.hash ? -1 : 1))) {
    const key = extractFeatures(m.doc).pattern;
    const k = perPattern.get(key) ?? 0;
    if (k >= maxPerPattern) continue;
    perPattern.set(key, k + 1);
    out.push(m);
    if (out.length >= size) break;
  }
  return out;
}

/** A cycle seed as a 32-bit integer from any text (e.g. the cycle id), for replay. */
export function seedFrom(text: string): number {
  return Number.parseInt(sha256Hex(text).slice(0, 8), 16);
}
