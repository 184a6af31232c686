import { describe, expect, it } from 'vitest';
import { series, type Row } from '../fixtures/series.js';
import { realSeries5m, REAL_SYMBOLS } from '../fixtures/real-data.js';
import { resample } from './resample.js';
import { DataError, validateSeries, type CandleSeries } from './series.js';
import { timeframeMs } from './timeframe.js';

const M5 = 300_000;
const M15 = 900_000;
const H1 = 3_600_000;
const H4 = 4 * H1;
const iso = (ms: number | undefined): string => new Date(ms ?? NaN).toISOString();

describe('resample', () => {
  // 5m bars from 00:05 to 00:50 (10 bars): bucket 00:00 lacks 00:00, bucket 00:45 lacks 00:55
  const rows: Row[] = [
    [10, 11, 9, 10.5, 1], // 00:05
    [10.5, 12, 10, 11, 2], // 00:10
    [11, 13, 10.5, 12, 3], // 00:15  bucket 00:15: open 11
    [12, 12.5, 8, 9, 4], //   00:20                 low 8
    [9, 10, 8.5, 9.5, 5], //  00:25                 close 9.5, high 13, volume 3+4+5
    [9.5, 9.8, 9.1, 9.2, 6], // 00:30  bucket 00:30: open 9.5
    [9.2, 14, 9, 13, 7], //   00:35                 high 14
    [13, 13.5, 12, 12.5, 8], // 00:40               close 12.5, low 9, volume 6+7+8
    [12.5, 13, 12, 12.8, 9], // 00:45  (incomplete)
    [12.8, 13, 12.5, 12.9, 10], // 00:50
  ];
  const s5 = series('BTCUSDT', rows, { startMs: Date.UTC(2025, 0, 1, 0, 5) });

  it('aggregates complete buckets aligned to the target step: first open, max high, min low, last close, summed volume', () => {
    const s15 = resample(s5, '15m', M15);
    expect({ symbol: s15.symbol, timeframe: s15.timeframe, stepMs: s15.stepMs }).toEqual({ symbol: 'BTCUSDT', timeframe: '15m', stepMs: M15 });
    expect(Array.from(s15.tsMs, (t) => iso(t))).toEqual(['2025-01-01T00:15:00.000Z', '2025-01-01T00:30:00.000Z']);
    expect(Array.from(s15.open)).toEqual([11, 9.5]);
    expect(Array.from(s15.high)).toEqual([13, 14]);
    expect(Array.from(s15.low)).toEqual([8, 9]);
    expect(Array.from(s15.close)).toEqual([9.5, 12.5]);
    expect(Array.from(s15.volume)).toEqual([12, 21]);
  });

  it('drops incomplete buckets at both ends, and gives no bars when none is complete', () => {
    const h1 = resample(s5, '1h', H1);
    expect(h1.tsMs.length, 'the 00:00 hour lacks 00:00 and 00:55').toBe(0);
    const full = series('BTCUSDT', Array.from({ length: 12 }, (_, i): Row => [10 + i, 11 + i, 9 + i, 10.5 + i, 1]), { startMs: Date.UTC(2025, 0, 1) });
    const one = resample(full, '1h', H1);
    expect(Array.from(one.tsMs)).toEqual([Date.UTC(2025, 0, 1)]);
    expect([one.open[0], one.high[0], one.low[0], one.close[0], one.volume[0]]).toEqual([10, 22, 9, 21.5, 12]);
  });

  it('returns the same series for the same step and refuses a finer or non-multiple step', () => {
    expect(resample(s5, '5m', M5)).toBe(s5);
    const s15 = resample(s5, '15m', M15);
    for (const [label, step] of [
      ['5m', M5],
      ['20m', 20 * 60_000],
    ] as const) {
      let error: unknown;
      try {
        resample(s15, label, step);
      } catch (err) {
        error = err;
      }
      expect(error, `15m to ${label}`).toBeInstanceOf(DataError);
      expect((error as DataError).kind).toBe('too_coarse');
      expect((error as DataError).symbol).toBe('BTCUSDT');
    }
  });

  describe('on the real data (2025-04-03 17:05 to 2025-07-02 17:00, 5m)', () => {
    const cases = [
      ['15m', '2025-04-03T17:15:00.000Z', '2025-07-02T16:45:00.000Z', 8639],
      ['1h', '2025-04-03T18:00:00.000Z', '2025-07-02T16:00:00.000Z', 2159],
      ['4h', '2025-04-03T20:00:00.000Z', '2025-07-02T12:00:00.000Z', 539],
    ] as const;

    for (const [tf, first, last, bars] of cases) {
      it(`gives ${tf} bars from ${first} to ${last} (${bars} bars, as the golden results say)`, () => {
        for (const symbol of REAL_SYMBOLS) {
          const s = resample(realSeries5m(symbol), tf, timeframeMs(tf));
          expect([iso(s.tsMs[0]), iso(s.tsMs[s.tsMs.length - 1]), s.tsMs.length], symbol).toEqual([first, last, bars]);
          expect(() => validateSeries(s), `${symbol} ${tf}: valid bars, fixed step`).not.toThrow();
        }
      });
    }

    it('matches a brute-force aggregation of every 1h bucket', () => {
      const s5m = realSeries5m('ETHUSDT');
      const h1 = resample(s5m, '1h', H1);
      const start = s5m.tsMs.indexOf(h1.tsMs[0] as number);
      expect(start, 'the first hour starts at a 5m bar').toBeGreaterThanOrEqual(0);
      let mismatches = 0;
      for (let k = 0; k < h1.tsMs.length; k++) {
        const from = start + 12 * k;
        const bucket = { open: s5m.open[from], high: -Infinity, low: Infinity, close: s5m.close[from + 11], volume: 0 };
        for (let j = from; j < from + 12; j++) {
          bucket.high = Math.max(bucket.high, s5m.high[j] as number);
          bucket.low = Math.min(bucket.low, s5m.low[j] as number);
          bucket.volume += s5m.volume[j] as number;
        }
        const got = { open: h1.open[k], high: h1.high[k], low: h1.low[k], close: h1.close[k], volume: h1.volume[k] };
        if (JSON.stringify(got) !== JSON.stringify(bucket) || h1.tsMs[k] !== s5m.tsMs[from]) mismatches++;
      }
      expect(mismatches).toBe(0);
    });

    it('composes: 5m -> 15m -> 1h -> 4h gives the same bars as 5m -> 4h (volume up to summation order)', () => {
      const s5m = realSeries5m('BNBUSDT');
      const direct = resample(s5m, '4h', H4);
      const chained: CandleSeries = resample(resample(resample(s5m, '15m', M15), '1h', H1), '4h', H4);
      expect(Array.from(chained.tsMs)).toEqual(Array.from(direct.tsMs));
      expect(Array.from(chained.open)).toEqual(Array.from(direct.open));
      expect(Array.from(chained.high)).toEqual(Array.from(direct.high));
      expect(Array.from(chained.low)).toEqual(Array.from(direct.low));
      expect(Array.from(chained.close)).toEqual(Array.from(direct.close));
      chained.volume.forEach((v, i) => {
        if (Math.abs(v - (direct.volume[i] as number)) > 1e-9 * v) expect.fail(`volume at ${i}: ${v} vs ${direct.volume[i]}`);
      });
    });
  });
});
