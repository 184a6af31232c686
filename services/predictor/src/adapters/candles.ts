import { DataError, invalidBarReason, isTimeframe, parseStepMs, resample, timeframeMs, validateSeries, type CandleSeries } from '@mastertrade/core';
import { candleStatus, readCandles, type Db } from '@mastertrade/db';
import { EMBEDDED_SYMBOLS, openCandleDirectory } from '@mastertrade/market-data';

const DAY_MS = 86_400_000;

export interface LoadedSeries {
  series: CandleSeries;
  /** `stored` (PostgreSQL) or `embedded` (the shipped data set, when nothing is stored). */
  source: 'stored' | 'embedded';
  /** What was done to the data (resampled, cut at a gap), or null. */
  note: string | null;
}

/**
 * The newest `days` of `symbol` at `timeframe`: stored candles of that timeframe, or of the
 * coarsest stored timeframe that divides it (resampled); the embedded set when nothing is stored.
 * Only the newest gap-free run is kept (indicators and windows need consecutive bars).
 */
export async function loadSeries(db: Db, o: { symbol: string; timeframe: string; days: number }): Promise<LoadedSeries> {
  if (!isTimeframe(o.timeframe)) throw new DataError('invalid_bar', o.symbol, o.timeframe, null, `unsupported timeframe ${o.timeframe}`);
  const target = timeframeMs(o.timeframe);
  const stored = (await candleStatus(db, { symbol: o.symbol }))
    .map((s) => ({ ...s, stepMs: parseStepMs(s.timeframe) }))
    .filter((s): s is typeof s & { stepMs: number } => s.stepMs !== null && s.stepMs <= target && target % s.stepMs === 0)
    .sort((a, b) => b.stepMs - a.stepMs);
  const best = stored[0];
  if (!best) {
    if (!(EMBEDDED_SYMBOLS as readonly string[]).includes(o.symbol)) {
      throw new DataError('empty', o.symbol, o.timeframe, null, `no stored candles (at ${o.timeframe} or a finer step that divides it) and no embedded data`);
    }
    const all = openCandleDirectory('embedded').series(o.symbol, o.timeframe);
    return { series: tail(all, Math.floor((o.days * DAY_MS) / target)), source: 'embedded', note: 'no stored candles: the embedded data set' };
  }
  const fromMs = Math.floor((best.lastMs - o.days * DAY_MS) / target) * target + target;
  const raw = await readCandles(db, { symbol: o.symbol, timeframe: best.timeframe, fromMs });
  const notes: string[] = [];
  const run = newestRun(raw);
  if (run.tsMs.length < raw.tsMs.length) notes.push(`kept the newest ${run.tsMs.length} gap-free ${best.timeframe} bars of ${raw.tsMs.length}`);
  validateSeries(run);
  const series = resample(run, o.timeframe, target);
  if (best.timeframe !== o.timeframe) notes.push(`resampled from ${best.timeframe}`);
  return { series, source: 'stored', note: notes.length ? notes.join('; ') : null };
}

/** The last `n` bars (views, no copy). */
export function tail(s: CandleSeries, n: number): CandleSeries {
  const from = Math.max(0, s.tsMs.length - n);
  return slice(s, from, s.tsMs.length);
}

function slice(s: CandleSeries, from: number, to: number): CandleSeries {
  return {
    ...s,
    tsMs: s.tsMs.subarray(from, to),
    open: s.open.subarray(from, to),
    high: s.high.subarray(from, to),
    low: s.low.subarray(from, to),
    close: s.close.subarray(from, to),
    volume: s.volume.subarray(from, to),
  };
}

/** The bars after the last gap or invalid bar. */
function newestRun(s: CandleSeries): CandleSeries {
  const n = s.tsMs.length;
  let from = n - 1;
  const valid = (i: number) =>
    invalidBarReason({ tsMs: s.tsMs[i] as number, open: s.open[i] as number, high: s.high[i] as number, low: s.low[i] as number, close: s.close[i] as number, volume: s.volume[i] as number }) === null;
  if (n === 0 || !valid(n - 1)) return slice(s, n, n);
  while (from > 0 && (s.tsMs[from] as number) - (s.tsMs[from - 1] as number) === s.stepMs && valid(from - 1)) from--;
  return slice(s, from, n);
}
