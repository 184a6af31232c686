import { TIMEFRAMES } from '../candles/timeframe.js';
import { pick, randInt, roundTo, type Rng } from '../util/rng.js';
import type { Condition, IndicatorOperand, Operand, StrategyDocument, StrategySide } from './schema.js';
import { strategySchema } from './schema.js';

const clampInt = (x: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, Math.round(x)));
const clamp = (x: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, x));

/** Multiplies by a factor in [1-spread, 1+spread]. */
const jitter = (rng: Rng, x: number, spread: number): number => x * (1 + (rng.next() * 2 - 1) * spread);

function mutateOperand(o: Operand, rng: Rng, rate: number): Operand {
  if (typeof o === 'number') return rng.next() < rate ? roundTo(jitter(rng, o, 0.2), 4) : o;
  const next: IndicatorOperand = { ...o };
  if ('period' in next && rng.next() < rate) next.period = clampInt(jitter(rng, next.period, 0.3) + (rng.next() < 0.5 ? -1 : 1), 2, 500);
  if (next.ind === 'bb' && rng.next() < rate) next.k = clamp(roundTo(jitter(rng, next.k, 0.25), 2), 0.1, 5);
  if (next.ind === 'macd') {
    if (rng.next() < rate) next.fast = clampInt(jitter(rng, next.fast, 0.3), 2, 499);
    if (rng.next() < rate) next.slow = clampInt(jitter(rng, next.slow, 0.3), 3, 500);
    if (rng.next() < rate) next.signal = clampInt(jitter(rng, next.signal, 0.3), 2, 500);
    if (next.fast >= next.slow) next.slow = Math.min(500, next.fast + 1);
    if (next.fast >= next.slow) next.fast = next.slow - 1;
  }
  return next;
}

function mutateCondition(c: Condition, rng: Rng, rate: number): Condition {
  const op = rng.next() < rate / 3 ? pick(rng, ['<', '>', 'crossAbove', 'crossBelow'] as const) : c.op;
  return { a: mutateOperand(c.a, rng, rate), op, b: mutateOperand(c.b, rng, rate) };
}

const without = <T>(xs: readonly T[], index: number): T[] => xs.filter((_, i) => i !== index);

function mutateSide(s: StrategySide | null, rng: Rng, rate: number): StrategySide | null {
  if (s === null) return null;
  let entry = s.entry.map((c) => mutateCondition(c, rng, rate));
  let exit = s.exit.map((c) => mutateCondition(c, rng, rate));
  // Structural mutations: drop a condition (entry keeps at least one), or duplicate-and-perturb one.
  if (entry.length > 1 && rng.next() < rate / 2) entry = without(entry, randInt(rng, 0, entry.length - 1));
  if (entry.length < 4 && rng.next() < rate / 2) entry = [...entry, mutateCondition(pick(rng, entry), rng, 1)];
  if (exit.length > 0 && rng.next() < rate / 2) exit = without(exit, randInt(rng, 0, exit.length - 1));
  return { entry, exit };
}

const mutateFraction = (x: number | null, rng: Rng, rate: number, lo: number, hi: number): number | null => {
  if (rng.next() >= rate) return x;
  if (x === null) return rng.next() < 0.3 ? roundTo(lo + rng.next() * (hi - lo), 4) : null;
  if (rng.next() < 0.1) return null;
  return clamp(roundTo(jitter(rng, x, 0.3), 4), 0.0005, 0.95);
};

/**
 * Mutation: each gene changes with probability `rate` (periods, thresholds, k, MACD lengths,
 * operators, risk fractions, leverage, size; rarely the timeframe; conditions added/dropped).
 * The result is always a valid document (parsed by the schema before it is returned).
 */
export function mutate(doc: StrategyDocument, rng: Rng, rate: number): StrategyDocument {
  const child = {
    ...doc,
    timeframe: rng.next() < rate / 4 ? pick(rng, TIMEFRAMES) : doc.timeframe,
    long: mutateSide(doc.long, rng, rate),
    short: mutateSide(doc.short, rng, rate),
    risk: {
      size: rng.next() < rate ? clamp(roundTo(jitter(rng, doc.risk.size, 0.3), 2), 0.05, 1) : doc.risk.size,
      leverage: rng.next() < rate ? clamp(roundTo(jitter(rng, doc.risk.leverage, 0.3), 1), 1, 5) : doc.risk.leverage,
      stopLoss: mutateFraction(doc.risk.stopLoss, rng, rate, 0.003, 0.08),
      takeProfit: mutateFraction(doc.risk.takeProfit, rng, rate, 0.005, 0.15),
      trailingStop: mutateFraction(doc.risk.trailingStop, rng, rate, 0.003, 0.06),
    },
  };
  return strategySchema.parse(child);
}

/**
 * Crossover: the child takes timeframe and symbols from one parent, each side's entry and
 * exit lists by one-point crossover of the parents' lists, and each risk gene from either
 * parent (uniform). Valid by construction; parsed to be sure.
 */
export function crossover(a: StrategyDocument, b: StrategyDocument, rng: Rng): StrategyDocument {
  const first = rng.next() < 0.5 ? a : b;
  const cut = <T>(x: readonly T[], y: readonly T[], min: number): T[] => {
    const i = randInt(rng, 0, x.length);
    const j = randInt(rng, 0, y.length);
    const out = [...x.slice(0, i), ...y.slice(j)].slice(0, 5);
    return out.length >= min ? out : [...x.slice(0, Math.max(min, 1))];
  };
  const side = (x: StrategySide | null, y: StrategySide | null): StrategySide | null => {
    if (x === null || y === null) return rng.next() < 0.5 ? x : y;
    return { entry: cut(x.entry, y.entry, 1), exit: cut(x.exit, y.exit, 0) };
  };
  let long = side(a.long, b.long);
  let short = side(a.short, b.short);
  if (long === null && short === null) {
    long = a.long ?? b.long;
    short = long === null ? (a.short ?? b.short) : null;
  }
  const gene = <K extends keyof StrategyDocument['risk']>(k: K) => (rng.next() < 0.5 ? a.risk[k] : b.risk[k]);
  return strategySchema.parse({
    ...first,
    long,
    short,
    risk: { size: gene('size'), leverage: gene('leverage'), stopLoss: gene('stopLoss'), takeProfit: gene('takeProfit'), trailingStop: gene('trailingStop') },
  });
}

/** Tournament selection: the fittest of `size` members drawn at random (with replacement). */
export function tournament<T extends { fitness: number }>(pop: readonly T[], rng: Rng, size = 3): T {
  let best = pop[Math.floor(rng.next() * pop.length)] as T;
  for (let i = 1; i < size; i++) {
    const c = pop[Math.floor(rng.next() * pop.length)] as T;
    if (c.fitness > best.fitness) best = c;
  }
  return best;
}
