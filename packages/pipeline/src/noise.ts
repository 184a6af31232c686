import { createRng, randInt, roundTo, strategySchema, type Rng, type StrategyDocument } from '@mastertrade/core';

/**
 * A strategy with no edge by construction: it enters on a coin flip of the bar's own candle
 * colour filtered by a random volume-ratio threshold (which bars qualify is effectively
 * random), exits by random stops or take-profits. Used to check that the selection does not
 * promote luck.
 */
export function noiseStrategy(rng: Rng, symbols: readonly string[]): StrategyDocument {
  const long = rng.next() < 0.5;
  const period = randInt(rng, 5, 60);
  const entry = [
    { a: { ind: 'close' as const }, op: long ? ('>' as const) : ('<' as const), b: { ind: 'open' as const } },
    { a: { ind: 'volratio' as const, period }, op: '>' as const, b: roundTo(0.8 + rng.next() * 1.6, 2) },
  ];
  const side = { entry, exit: [] };
  return strategySchema.parse({
    version: 1,
    name: `noise-${period}-${Math.floor(rng.next() * 1e9)}`,
    type: 'momentum',
    timeframe: (['5m', '15m', '1h'] as const)[randInt(rng, 0, 2)],
    symbols: [symbols[randInt(rng, 0, symbols.length - 1)]],
    long: long ? side : null,
    short: long ? null : side,
    risk: { size: 0.5, leverage: 1, stopLoss: roundTo(0.004 + rng.next() * 0.03, 4), takeProfit: roundTo(0.004 + rng.next() * 0.03, 4), trailingStop: null },
  });
}

export function noiseStrategies(count: number, seed: number, symbols: readonly string[]): StrategyDocument[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => noiseStrategy(rng, symbols));
}
