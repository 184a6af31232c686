import { describe, expect, it } from 'vitest';
import { createRng, pick, randInt, roundTo } from './rng.js';

const draw = (seed: number | string, n: number): number[] => {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => rng.next());
};

describe('createRng', () => {
  it('replays the same sequence for the same seed, number or string', () => {
    expect(draw(42, 100)).toEqual(draw(42, 100));
    expect(draw('generation-7', 100)).toEqual(draw('generation-7', 100));
  });

  it('gives different sequences for different seeds', () => {
    expect(draw(1, 10)).not.toEqual(draw(2, 10));
    expect(draw('a', 10)).not.toEqual(draw('b', 10));
  });

  it('draws floats in [0, 1) that look uniform', () => {
    const xs = draw(7, 20_000);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean, 'mean of U(0,1) is 0.5; 20000 draws put it within 0.01').toBeCloseTo(0.5, 1);
    const deciles = new Array<number>(10).fill(0);
    for (const x of xs) {
      const k = Math.floor(x * 10);
      deciles[k] = (deciles[k] ?? 0) + 1;
    }
    for (const d of deciles) expect(Math.abs(d - 2000), 'each decile holds about 2000 draws').toBeLessThan(200);
  });
});

describe('rng helpers', () => {
  it('randInt covers [lo, hi] inclusive and nothing else', () => {
    const rng = createRng(3);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(randInt(rng, 2, 6));
    expect([...seen].sort()).toEqual([2, 3, 4, 5, 6]);
  });

  it('pick returns every item eventually', () => {
    const rng = createRng(5);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(pick(rng, ['a', 'b', 'c']));
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);
  });

  it('roundTo rounds to decimals', () => {
    expect(roundTo(0.123456, 3)).toBe(0.123);
    expect(roundTo(2.5, 0)).toBe(3);
    expect(roundTo(1.23456, 2)).toBe(1.23);
  });
});
