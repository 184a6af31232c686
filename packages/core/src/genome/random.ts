import { TIMEFRAMES, type Timeframe } from '../candles/timeframe.js';
import { pick, randInt, roundTo, type Rng } from '../util/rng.js';
import { sha256Hex } from '../util/sha256.js';
import type { Condition, IndicatorOperand, Operand, StrategyDocument, StrategySide, StrategyType } from './schema.js';
import { STRATEGY_TYPES } from './schema.js';

export interface RandomStrategyOptions {
  symbols: readonly string[];
  timeframes?: readonly Timeframe[];
  /** Upper bound for indicator periods (lower keeps warm-up short on small data). */
  maxPeriod?: number;
}

/**
 * An oscillator has a known value range, so a random threshold can be drawn from it;
 * everything else is compared with another price-scaled operand.
 */
type Scale = 'price' | 'rsi' | 'natr' | 'volratio' | 'macd' | 'atr';

function operandScale(o: IndicatorOperand): Scale {
  switch (o.ind) {
    case 'rsi':
      return 'rsi';
    case 'natr':
      return 'natr';
    case 'volratio':
      return 'volratio';
    case 'macd':
      return 'macd';
    case 'atr':
      return 'atr';
    case 'volume':
      return 'volratio';
    default:
      return 'price';
  }
}

function randomPeriod(rng: Rng, max: number): number {
  // Skewed towards short periods, as the common settings are.
  const u = rng.next();
  return Math.max(2, Math.min(max, Math.round(2 + (max - 2) * u * u * u)));
}

function randomPriceOperand(rng: Rng, maxPeriod: number): IndicatorOperand {
  const k = randInt(rng, 0, 6);
  switch (k) {
    case 0:
      return { ind: pick(rng, ['close', 'open', 'high', 'low'] as const) };
    case 1:
      return { ind: 'sma', period: randomPeriod(rng, maxPeriod) };
    case 2:
      return { ind: 'ema', period: randomPeriod(rng, maxPeriod) };
    case 3:
      return { ind: 'bb', period: randomPeriod(rng, maxPeriod), k: roundTo(0.5 + rng.next() * 2.5, 2), out: pick(rng, ['upper', 'middle', 'lower'] as const) };
    case 4:
      return { ind: 'highest', period: randomPeriod(rng, maxPeriod) };
    case 5:
      return { ind: 'lowest', period: randomPeriod(rng, maxPeriod) };
    default:
      return { ind: 'close' };
  }
}

function randomCondition(rng: Rng, maxPeriod: number, entry: boolean, long: boolean): Condition {
  const ops = ['<', '>', 'crossAbove', 'crossBelow'] as const;
  const kind = randInt(rng, 0, 4);
  if (kind === 0) {
    const period = randomPeriod(rng, Math.min(maxPeriod, 50));
    const low = roundTo(15 + rng.next() * 25, 1);
    const high = roundTo(60 + rng.next() * 25, 1);
    // Long entries favour oversold, short entries overbought (and the mirror for exits).
    const oversold = entry === long;
    return oversold
      ? { a: { ind: 'rsi', period }, op: pick(rng, ['<', 'crossBelow'] as const), b: low }
      : { a: { ind: 'rsi', period }, op: pick(rng, ['>', 'crossAbove'] as const), b: high };
  }
  if (kind === 1) {
    const fast = randInt(rng, 2, 20);
    const slow = fast + randInt(rng, 2, 30);
    const out = pick(rng, ['line', 'signal', 'hist'] as const);
    const macdOp: Operand = { ind: 'macd', fast, slow, signal: randInt(rng, 2, 15), out };
    return { a: macdOp, op: pick(rng, ops), b: 0 };
  }
  if (kind === 2) {
    const ind = pick(rng, ['natr', 'volratio'] as const);
    const threshold = ind === 'natr' ? roundTo(0.1 + rng.next() * 1.5, 3) : roundTo(0.5 + rng.next() * 2.5, 2);
    return { a: { ind, period: randomPeriod(rng, Math.min(maxPeriod, 100)) }, op: pick(rng, ['<', '>'] as const), b: threshold };
  }
  const a = randomPriceOperand(rng, maxPeriod);
  let b = randomPriceOperand(rng, maxPeriod);
  if (operandScale(a) !== operandScale(b) || JSON.stringify(a) === JSON.stringify(b)) b = { ind: 'sma', period: randomPeriod(rng, maxPeriod) };
  return { a, op: pick(rng, ops), b };
}

function randomSide(rng: Rng, maxPeriod: number, long: boolean): StrategySide {
  const entries = randInt(rng, 1, 3);
  const exits = randInt(rng, 0, 2);
  return {
    entry: Array.from({ length: entries }, () => randomCondition(rng, maxPeriod, true, long)),
    exit: Array.from({ length: exits }, () => randomCondition(rng, maxPeriod, false, long)),
  };
}

function shuffle<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randInt(rng, 0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const maybe = (rng: Rng, p: number, value: () => number): number | null => (rng.next() < p ? value() : null);

/** A random valid strategy document (for diversity in the generator, benchmarks and property tests). */
export function randomStrategy(rng: Rng, opts: RandomStrategyOptions): StrategyDocument {
  const maxPeriod = opts.maxPeriod ?? 200;
  const timeframe = pick(rng, opts.timeframes ?? TIMEFRAMES);
  const sides = randInt(rng, 0, 2); // 0 long, 1 short, 2 both
  const nSymbols = randInt(rng, 1, opts.symbols.length);
  const symbols = shuffle(rng, opts.symbols).slice(0, nSymbols);
  const type: StrategyType = pick(rng, STRATEGY_TYPES);
  const doc: Omit<StrategyDocument, 'name'> = {
    version: 1,
    type,
    timeframe,
    symbols,
    long: sides !== 1 ? randomSide(rng, maxPeriod, true) : null,
    short: sides !== 0 ? randomSide(rng, maxPeriod, false) : null,
    risk: {
      size: roundTo(0.1 + rng.next() * 0.9, 2),
      leverage: rng.next() < 0.6 ? 1 : roundTo(1 + rng.next() * 4, 1),
      stopLoss: maybe(rng, 0.7, () => roundTo(0.003 + rng.next() * 0.08, 4)),
      takeProfit: maybe(rng, 0.6, () => roundTo(0.005 + rng.next() * 0.15, 4)),
      trailingStop: maybe(rng, 0.3, () => roundTo(0.003 + rng.next() * 0.06, 4)),
    },
  };
  const name = `${type.replace('_', '-')}-${timeframe}-${sha256Hex(JSON.stringify(doc)).slice(0, 8)}`;
  return { ...doc, name } as StrategyDocument;
}
