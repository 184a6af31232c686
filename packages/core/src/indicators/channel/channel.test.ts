import { describe, expect, it } from 'vitest';
import { expectAgreement, f64 } from '../../fixtures/oracle.js';
import { realSeries5m } from '../../fixtures/real-data.js';
import { highest, lowest } from './channel.js';

function bruteForce(values: Float64Array, n: number, max: boolean): number[] {
  const out: number[] = [];
  for (let t = n; t < values.length; t++) {
    let e = values[t - n] as number;
    for (let j = t - n; j < t; j++) e = max ? Math.max(e, values[j] as number) : Math.min(e, values[j] as number);
    out.push(e);
  }
  return out;
}

describe('highest / lowest channel', () => {
  it('covers bars t-n .. t-1, bar t excluded, first at index n', () => {
    // highs [1,5,3,2,4,0], n = 3: t=3 max(1,5,3) = 5; t=4 max(5,3,2) = 5; t=5 max(3,2,4) = 4
    expect(Array.from(highest(f64([1, 5, 3, 2, 4, 0]), 3))).toEqual([NaN, NaN, NaN, 5, 5, 4]);
    // lows [5,1,3,4,2,9], n = 2: t=2 min(5,1) = 1; t=3 min(1,3) = 1; t=4 min(3,4) = 3; t=5 min(4,2) = 2
    expect(Array.from(lowest(f64([5, 1, 3, 4, 2, 9]), 2))).toEqual([NaN, NaN, 1, 1, 3, 2]);
  });

  it('never includes the current bar: a new high at t is above highest(n)[t]', () => {
    const h = f64([1, 2, 3, 100]);
    expect(highest(h, 3)[3], 'bar 3 (100) is excluded').toBe(3);
    const l = f64([9, 8, 7, 0.5]);
    expect(lowest(l, 3)[3], 'bar 3 (0.5) is excluded').toBe(7);
  });

  it('handles ties and a period equal to the length', () => {
    expect(Array.from(highest(f64([2, 2, 2, 1, 1]), 2)), 'ties').toEqual([NaN, NaN, 2, 2, 2]);
    expect(Array.from(highest(f64([1, 2, 3]), 3)), 'n = length: never defined (needs n previous bars)').toEqual([NaN, NaN, NaN]);
    expect(Array.from(lowest(f64([3, 1, 2, 0]), 3)), 'n = length - 1').toEqual([NaN, NaN, NaN, 1]);
  });

  it('matches brute force on real highs and lows, short and long periods', () => {
    const s = realSeries5m('BTCUSDT');
    for (const n of [2, 3, 48, 500]) {
      expectAgreement(`highest(${n})`, highest(s.high, n), bruteForce(s.high, n, true), n, 0);
      expectAgreement(`lowest(${n})`, lowest(s.low, n), bruteForce(s.low, n, false), n, 0);
    }
  });
});
