import { atr, bollinger, macd, rsi, sma, volumeRatio, type CandleSeries } from '@mastertrade/core';
import { openCandleDirectory } from '@mastertrade/market-data';
import { describe, expect, it } from 'vitest';
import { buildFeatures, FEATURES, nextChangePct } from './features.js';

const btc = openCandleDirectory('embedded').series('BTCUSDT', '1h');

function prefix(s: CandleSeries, n: number): CandleSeries {
  return { ...s, tsMs: s.tsMs.slice(0, n), open: s.open.slice(0, n), high: s.high.slice(0, n), low: s.low.slice(0, n), close: s.close.slice(0, n), volume: s.volume.slice(0, n) };
}

describe('buildFeatures', () => {
  const f = buildFeatures(btc);
  const col = (name: (typeof FEATURES)[number], row: number) => f.values[row * f.width + FEATURES.indexOf(name)] as number;

  it('gives 20 features (OHLCV + 15 indicators), all finite after the SMA(50) warm-up', () => {
    expect(f.width).toBe(20);
    expect(f.rows, '90 days of hourly bars').toBeGreaterThan(2000);
    expect(f.firstRow, 'SMA(50) is the longest warm-up').toBe(49);
    const bad = f.values.subarray(f.firstRow * f.width).filter((v) => !Number.isFinite(v)).length;
    expect(bad, 'non-finite values after warm-up').toBe(0);
    expect(Number.isNaN(f.values[0] as number), 'warm-up rows are NaN').toBe(true);
  });

  it('uses the engine indicators from packages/core', () => {
    const { close, high, low, volume } = btc;
    const r = 1000;
    const c = close[r] as number;
    expect(col('rsi14', r)).toBeCloseTo((rsi(close, 14)[r] as number) / 100, 12);
    expect(col('macd_hist', r)).toBeCloseTo((macd(close, 12, 26, 9).hist[r] as number) / c, 12);
    expect(col('bb_upper', r)).toBeCloseTo((bollinger(close, 20, 2).upper[r] as number) / c - 1, 12);
    expect(col('atr14', r)).toBeCloseTo((atr(high, low, close, 14)[r] as number) / c, 12);
    expect(col('sma50', r)).toBeCloseTo(c / (sma(close, 50)[r] as number) - 1, 12);
    expect(col('vol_ratio20', r)).toBeCloseTo(volumeRatio(volume, 20)[r] as number, 12);
    expect(col('close', r)).toBeCloseTo(Math.log(c / (close[r - 1] as number)), 12);
    expect(col('ret24', r)).toBeCloseTo(Math.log(c / (close[r - 24] as number)), 12);
  });

  it('never looks ahead: appending bars leaves every earlier row unchanged', () => {
    const cut = 700;
    const early = buildFeatures(prefix(btc, cut));
    expect(Array.from(early.values)).toEqual(Array.from(f.values.subarray(0, cut * f.width)));
  });

  it('keys rows by the series ts', () => {
    expect(f.tsMs).toBe(btc.tsMs);
    expect(f.symbol).toBe('BTCUSDT');
  });
});

describe('nextChangePct', () => {
  it('is 100 (c[t+1] / c[t] - 1), NaN on the last bar', () => {
    const t = nextChangePct(Float64Array.from([100, 101, 99.99]));
    expect(t[0]).toBeCloseTo(1, 12);
    expect(t[1]).toBeCloseTo(-1, 12);
    expect(Number.isNaN(t[2] as number)).toBe(true);
  });
});
