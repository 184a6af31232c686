import { DataError, allocSeries, type CandleSeries } from './series.js';

/**
 * Resamples a validated series to a coarser step. Buckets are aligned to multiples of the
 * target step since the epoch; open = first open, high = max, low = min, close = last close,
 * volume = sum. Only complete buckets are kept (a bucket needs every one of its source bars).
 */
export function resample(s: CandleSeries, targetLabel: string, targetStepMs: number): CandleSeries {
  if (targetStepMs === s.stepMs) return s;
  if (targetStepMs < s.stepMs || targetStepMs % s.stepMs !== 0) {
    throw new DataError('too_coarse', s.symbol, s.timeframe, null, `cannot resample ${s.timeframe} candles to ${targetLabel}`);
  }
  const per = targetStepMs / s.stepMs;
  const n = s.tsMs.length;
  const out = allocSeries(s.symbol, targetLabel, targetStepMs, Math.floor(n / per) + 1);
  let m = 0;
  let i = 0;
  while (i < n) {
    const bucket = Math.floor((s.tsMs[i] as number) / targetStepMs) * targetStepMs;
    // The input has no gaps, so the bucket is complete iff it starts at the bucket's open
    // and the bar `per - 1` later still lies in the same bucket.
    const last = i + per - 1;
    if ((s.tsMs[i] as number) !== bucket || last >= n || (s.tsMs[last] as number) !== bucket + targetStepMs - s.stepMs) {
      i++;
      while (i < n && Math.floor((s.tsMs[i] as number) / targetStepMs) * targetStepMs === bucket) i++;
      continue;
    }
    let high = s.high[i] as number;
    let low = s.low[i] as number;
    let volume = 0;
    for (let j = i; j <= last; j++) {
      const h = s.high[j] as number;
      const l = s.low[j] as number;
      if (h > high) high = h;
      if (l < low) low = l;
      volume += s.volume[j] as number;
    }
    out.tsMs[m] = bucket;
    out.open[m] = s.open[i] as number;
    out.high[m] = high;
    out.low[m] = low;
    out.close[m] = s.close[last] as number;
    out.volume[m] = volume;
    m++;
    i = last + 1;
  }
  return {
    symbol: out.symbol,
    timeframe: out.timeframe,
    stepMs: out.stepMs,
    tsMs: out.tsMs.slice(0, m),
    open: out.open.slice(0, m),
    high: out.high.slice(0, m),
    low: out.low.slice(0, m),
    close: out.close.slice(0, m),
    volume: out.volume.slice(0, m),
  };
}
