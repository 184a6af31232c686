import { MACD } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import { expectAgreement, f64, warmUp } from '../../fixtures/oracle.js';
import { realSeries5m } from '../../fixtures/real-data.js';
import { sma } from '../sma/sma.js';
import { macd } from './macd.js';

describe('macd', () => {
  it('line = EMA_fast - EMA_slow; signal = EMA of the line seeded with the SMA of its first values; hist = line - signal', () => {
    // closes [1,3,2,6,4,8], MACD(2,3,2)
    // EMA2 (alpha 2/3): seed 2 at 1; 2; 14/3; 38/9; 182/27
    // EMA3 (alpha 1/2): seed 2 at 2; 4; 4; 6
    // line from index 2: 0, 2/3, 2/9, 20/27
    // signal: seed (0 + 2/3)/2 = 1/3 at 3; 1/3 + 2/3*(2/9-1/3) = 7/27; 7/27 + 2/3*(20/27-7/27) = 47/81
    // hist: 1/3, -1/27, 13/81
    const { line, signal, hist } = macd(f64([1, 3, 2, 6, 4, 8]), 2, 3, 2);
    const expectColumn = (name: string, col: Float64Array, want: number[]) => {
      want.forEach((w, i) => {
        if (Number.isNaN(w)) expect(col[i], `${name}[${i}] warm-up`).toBeNaN();
        else expect(col[i], `${name}[${i}]`).toBeCloseTo(w, 12);
      });
    };
    expectColumn('line', line, [NaN, NaN, 0, 2 / 3, 2 / 9, 20 / 27]);
    expectColumn('signal', signal, [NaN, NaN, NaN, 1 / 3, 7 / 27, 47 / 81]);
    expectColumn('hist', hist, [NaN, NaN, NaN, 1 / 3, -1 / 27, 13 / 81]);
  });

  it('defines the line from index slow-1 and the signal and hist from slow-1 + signal-1', () => {
    const close = f64(Array.from({ length: 80 }, (_, i) => 100 + Math.sin(i / 4) * 3 + i * 0.1));
    for (const [f, s, g] of [
      [12, 26, 9],
      [2, 3, 2],
      [5, 35, 5],
    ] as const) {
      const m = macd(close, f, s, g);
      expect(warmUp(m.line), `MACD(${f},${s},${g}) line`).toBe(s - 1);
      expect(warmUp(m.signal), `MACD(${f},${s},${g}) signal`).toBe(s - 1 + g - 1);
      expect(warmUp(m.hist), `MACD(${f},${s},${g}) hist`).toBe(s - 1 + g - 1);
    }
  });

  it('is 0 everywhere defined on a flat series', () => {
    const m = macd(f64(Array.from({ length: 10 }, () => 5)), 2, 3, 2);
    expect(Array.from(m.line.subarray(2))).toEqual(Array.from({ length: 8 }, () => 0));
    expect(Array.from(m.signal.subarray(3))).toEqual(Array.from({ length: 7 }, () => 0));
  });

  it('agrees with technicalindicators MACD with EMAs (SimpleMAOscillator/SimpleMASignal false or omitted) on real closes', () => {
    const close = realSeries5m('BTCUSDT').close;
    const values = Array.from(close);
    for (const [f, s, g] of [
      [12, 26, 9],
      [3, 10, 16],
      [5, 35, 5],
    ] as const) {
      const ours = macd(close, f, s, g);
      const theirs = MACD.calculate({ fastPeriod: f, slowPeriod: s, signalPeriod: g, values, SimpleMAOscillator: false, SimpleMASignal: false });
      const label = `MACD(${f},${s},${g})`;
      expectAgreement(`${label} line`, ours.line, theirs.map((o) => o.MACD), s - 1);
      // its signal and histogram are undefined for the first g-1 outputs, as ours are NaN
      expectAgreement(`${label} signal`, ours.signal.subarray(s - 1 + g - 1), theirs.slice(g - 1).map((o) => o.signal), 0);
      expectAgreement(`${label} hist`, ours.hist.subarray(s - 1 + g - 1), theirs.slice(g - 1).map((o) => o.histogram), 0);
      expect(theirs.slice(0, g - 1).every((o) => o.signal === undefined), `${label}: its signal warm-up is g-1 outputs`).toBe(true);
    }
  });

  it('differs from technicalindicators with SimpleMAOscillator/SimpleMASignal true: its line is then SMA_fast - SMA_slow', () => {
    const close = realSeries5m('BTCUSDT').close.subarray(0, 500);
    const theirs = MACD.calculate({ fastPeriod: 12, slowPeriod: 26, signalPeriod: 9, values: Array.from(close), SimpleMAOscillator: true, SimpleMASignal: true });
    const fast = sma(close, 12);
    const slow = sma(close, 26);
    const smaLine = Array.from(close, (_, i) => (fast[i] as number) - (slow[i] as number));
    expectAgreement('SMA-based line', smaLine, theirs.map((o) => o.MACD), 25);
  });

  it('differs from technicalindicators on an exactly zero signal: it reports `signal` undefined (a truthiness check) while ours is 0', () => {
    const theirs = MACD.calculate({ fastPeriod: 2, slowPeriod: 3, signalPeriod: 2, values: [5, 5, 5, 5, 5, 5], SimpleMAOscillator: false, SimpleMASignal: false });
    expect(theirs.map((o) => o.signal), 'technicalindicators drops the 0 signal').toEqual([undefined, undefined, undefined, undefined]);
    expect(theirs.map((o) => o.histogram), 'its histogram keeps 0').toEqual([undefined, 0, 0, 0]);
    expect(Array.from(macd(f64([5, 5, 5, 5, 5, 5]), 2, 3, 2).signal.subarray(3)), 'ours').toEqual([0, 0, 0]);
  });
});
