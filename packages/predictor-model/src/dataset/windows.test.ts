import type { CandleSeries } from '@mastertrade/core';
import { openCandleDirectory } from '@mastertrade/market-data';
import { describe, expect, it } from 'vitest';
import { buildFeatures } from '../features/features.js';
import { fitScaler } from './scaler.js';
import { fillTargets, fillWindows, InsufficientDataError, prepareDataset } from './windows.js';

const btc = openCandleDirectory('embedded').series('BTCUSDT', '1h');
const opts = { windowBars: 60, valFraction: 0.2 };

/** The series with every bar from `from` on scaled by `k` (still valid bars, very different features). */
function distortTail(s: CandleSeries, from: number, k: number): CandleSeries {
  const m = (a: Float64Array) => a.map((v, i) => (i >= from ? v * k : v));
  return { ...s, open: m(s.open), high: m(s.high), low: m(s.low), close: m(s.close), volume: m(s.volume) };
}

describe('prepareDataset', () => {
  const ds = prepareDataset(btc, opts);
  const lastTrain = ds.trainEnds[ds.trainEnds.length - 1] as number;

  it('splits 80/20 chronologically: every validation window (and target) comes after every training one', () => {
    const total = ds.trainEnds.length + ds.valEnds.length;
    expect(total, 'one window per bar after warm-up, the last bar has no target').toBe(btc.close.length - 1 - (ds.features.firstRow + 59));
    expect(ds.valEnds.length).toBe(Math.floor(total * 0.2));
    expect(Math.min(...ds.valEnds), 'first validation window ends after the last training window').toBe(lastTrain + 1);
    // The last training target is the close of row lastTrain + 1; validation targets start at row lastTrain + 2.
    expect(ds.validation.fromTsMs).toBeGreaterThan(ds.train.toTsMs);
    expect(ds.train.windows + ds.validation.windows).toBe(total);
  });

  it('fits the scaler on the training rows only: changing the validation bars changes nothing in it', () => {
    const distorted = prepareDataset(distortTail(btc, lastTrain + 2, 3), opts);
    expect(distorted.scaler).toEqual(ds.scaler);
    expect(distorted.targetScaler).toEqual(ds.targetScaler);
    // ...whereas the validation rows themselves did change.
    const k = (lastTrain + 30) * ds.width + 4; // log volume, well inside the validation split
    expect(distorted.scaled[k]).not.toBe(ds.scaled[k]);
    const firstRead = (ds.trainEnds[0] as number) - 59;
    expect(ds.scaler).toEqual(fitScaler(ds.features.values, ds.width, firstRead, lastTrain));
  });

  it('scales training rows to mean ~0, std ~1', () => {
    const firstRead = (ds.trainEnds[0] as number) - 59;
    for (let f = 0; f < ds.width; f++) {
      let s = 0;
      let ss = 0;
      const n = lastTrain - firstRead + 1;
      for (let r = firstRead; r <= lastTrain; r++) {
        const v = ds.scaled[r * ds.width + f] as number;
        s += v;
        ss += v * v;
      }
      expect(Math.abs(s / n), `feature ${f} mean`).toBeLessThan(1e-3);
      expect(Math.sqrt(ss / n - (s / n) ** 2), `feature ${f} std`).toBeCloseTo(1, 2);
    }
  });

  it('cuts windows as contiguous slices of the one scaled buffer', () => {
    const ends = [ds.trainEnds[5] as number, ds.valEnds[3] as number];
    const batch = fillWindows(ds.scaled, ds, ends, 0, 2);
    expect(batch.length).toBe(2 * 60 * ds.width);
    for (let w = 0; w < 2; w++) {
      const end = ends[w] as number;
      for (const step of [0, 59]) {
        const row = end - 59 + step;
        for (let f = 0; f < ds.width; f++) expect(batch[w * 60 * ds.width + step * ds.width + f]).toBe(ds.scaled[row * ds.width + f]);
      }
    }
    const y = fillTargets(ds, ends, 0, 2);
    expect(y[0]).toBeCloseTo(((ds.targetPct[ends[0] as number] as number) - ds.targetScaler.mean) / ds.targetScaler.std, 5);
  });

  it('keeps the newest windows with maxWindows, and refuses too little data', () => {
    const small = prepareDataset(btc, { ...opts, maxWindows: 100 });
    expect(small.trainEnds.length + small.valEnds.length).toBe(100);
    expect(small.valEnds[small.valEnds.length - 1]).toBe(btc.close.length - 2);
    const f = buildFeatures(btc);
    expect(() => prepareDataset({ ...f, rows: 120, values: f.values.subarray(0, 120 * f.width) }, opts)).toThrow(InsufficientDataError);
  });
});
