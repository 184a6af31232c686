import { describe, expect, it } from 'vitest';
import { createRng } from '../util/rng.js';
import { randomStrategy } from './random.js';
import type { IndicatorOperand, Operand, StrategyDocument } from './schema.js';
import { parseStrategy } from './validate.js';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'];

function operands(doc: StrategyDocument): IndicatorOperand[] {
  const sides = [doc.long, doc.short].flatMap((s) => (s === null ? [] : [...s.entry, ...s.exit]));
  return sides.flatMap((c) => [c.a, c.b]).filter((o: Operand): o is IndicatorOperand => typeof o !== 'number');
}

describe('randomStrategy', () => {
  it('always produces documents that parseStrategy accepts unchanged (1000 seeds)', () => {
    const refused: string[] = [];
    for (let seed = 0; seed < 1000; seed++) {
      const doc = randomStrategy(createRng(seed), { symbols: SYMBOLS });
      // A JSON round trip is what the generator stores and the engine reads.
      const wire = JSON.parse(JSON.stringify(doc)) as unknown;
      try {
        expect(parseStrategy(wire), `seed ${seed}: parsing adds or drops nothing`).toEqual(doc);
      } catch (err) {
        refused.push(`seed ${seed}: ${(err as Error).message.slice(0, 200)}`);
      }
    }
    expect(refused).toEqual([]);
  });

  it('is deterministic for a seed and varies across seeds', () => {
    expect(randomStrategy(createRng(11), { symbols: SYMBOLS })).toEqual(randomStrategy(createRng(11), { symbols: SYMBOLS }));
    const names = new Set(Array.from({ length: 50 }, (_, s) => randomStrategy(createRng(s), { symbols: SYMBOLS }).name));
    expect(names.size, '50 seeds, 50 different documents').toBe(50);
  });

  it('respects the symbols, timeframes and maxPeriod options', () => {
    for (let seed = 0; seed < 200; seed++) {
      const doc = randomStrategy(createRng(seed), { symbols: ['BTCUSDT', 'ETHUSDT'], timeframes: ['15m', '1h'], maxPeriod: 30 });
      expect(doc.symbols.every((s) => s === 'BTCUSDT' || s === 'ETHUSDT'), `seed ${seed} symbols`).toBe(true);
      expect(['15m', '1h'], `seed ${seed} timeframe`).toContain(doc.timeframe);
      for (const o of operands(doc)) {
        if ('period' in o) expect(o.period, `seed ${seed} ${o.ind}`).toBeLessThanOrEqual(30);
      }
    }
  });

  it('covers both sides, every op, and stop, take-profit and trailing settings across seeds', () => {
    const docs = Array.from({ length: 300 }, (_, s) => randomStrategy(createRng(s), { symbols: SYMBOLS }));
    const ops = new Set(docs.flatMap((d) => [d.long, d.short].flatMap((s) => (s === null ? [] : [...s.entry, ...s.exit].map((c) => c.op)))));
    expect([...ops].sort()).toEqual(['<', '>', 'crossAbove', 'crossBelow']);
    expect(docs.some((d) => d.long !== null && d.short !== null), 'both sides').toBe(true);
    expect(docs.some((d) => d.long === null), 'short only').toBe(true);
    expect(docs.some((d) => d.short === null), 'long only').toBe(true);
    expect(docs.some((d) => d.risk.trailingStop !== null && d.risk.stopLoss !== null && d.risk.takeProfit !== null), 'all three exits').toBe(true);
    expect(docs.some((d) => d.risk.leverage > 1), 'leverage').toBe(true);
  });
});
