import type { CandleSeries } from '@mastertrade/core';
import { buildFeatures, nextChangePct, type FeatureMatrix } from '../features/features.js';
import { applyScaler, fitScaler, fitTargetScaler, type Scaler, type TargetScaler } from './scaler.js';

/** Too few bars for the window length and the two splits. */
export class InsufficientDataError extends Error {
  override readonly name = 'InsufficientDataError';
}

export interface DatasetOptions {
  /** Bars per input window (the seed: 60 hours). */
  windowBars: number;
  /** The newest share of windows kept for validation, e.g. 0.2. */
  valFraction: number;
  /** Keep only the newest N windows (tests and benchmarks); default all. */
  maxWindows?: number;
}

/** Bounds of a split, as bar open times (ms) of the first and last window's last bar. */
export interface SplitRange {
  windows: number;
  fromTsMs: number;
  toTsMs: number;
}

/**
 * Windows over one scaled matrix. A window ending at row e is rows e-windowBars+1..e, which in
 * the row-major buffer is ONE contiguous slice: batches are filled with `subarray` copies and no
 * window is ever materialised on its own.
 */
export interface Dataset {
  readonly features: FeatureMatrix;
  readonly windowBars: number;
  readonly width: number;
  /** rows × width float32, scaled with the training statistics. */
  readonly scaled: Float32Array;
  readonly scaler: Scaler;
  readonly targetScaler: TargetScaler;
  /** Next-bar close change in % per row (NaN on the last row). */
  readonly targetPct: Float64Array;
  /** Last row of each training window, ascending; every one before every validation window. */
  readonly trainEnds: Int32Array;
  /** Last row of each validation window, ascending. */
  readonly valEnds: Int32Array;
  readonly train: SplitRange;
  readonly validation: SplitRange;
}

/**
 * Features → chronological split → scaler fitted on the training rows only → one scaled buffer.
 * The last training window ends at row L; the scaler sees rows firstRow..L only; validation
 * windows end at rows > L, so their targets (closes after L+1) all come after every training
 * target.
 */
export function prepareDataset(input: CandleSeries | FeatureMatrix, opts: DatasetOptions): Dataset {
  const features = 'values' in input ? input : buildFeatures(input);
  const { windowBars } = opts;
  const firstEnd = features.firstRow + windowBars - 1;
  // The last row has no next close, so no target.
  const lastEnd = features.rows - 2;
  let count = lastEnd - firstEnd + 1;
  let startEnd = firstEnd;
  if (opts.maxWindows !== undefined && count > opts.maxWindows) {
    startEnd = lastEnd - opts.maxWindows + 1;
    count = opts.maxWindows;
  }
  const valCount = Math.floor(count * opts.valFraction);
  const trainCount = count - valCount;
  if (trainCount < 8 || valCount < 4) {
    throw new InsufficientDataError(
      `${features.symbol} ${features.timeframe}: ${features.rows} bars give ${Math.max(0, count)} windows of ${windowBars} after a ${features.firstRow}-bar indicator warm-up; need at least 8 training and 4 validation windows`,
    );
  }
  const trainEnds = Int32Array.from({ length: trainCount }, (_, i) => startEnd + i);
  const valEnds = Int32Array.from({ length: valCount }, (_, i) => startEnd + trainCount + i);
  const lastTrain = startEnd + trainCount - 1;
  // Only rows that some training window reads: from the first training window's first row.
  const scaler = fitScaler(features.values, features.width, startEnd - windowBars + 1, lastTrain);
  const targetPct = nextChangePct(features.close);
  const targetScaler = fitTargetScaler(Array.from(trainEnds, (e) => targetPct[e] as number));
  const ts = (e: number) => features.tsMs[e] as number;
  return {
    features,
    windowBars,
    width: features.width,
    scaled: applyScaler(scaler, features.values, features.width, features.firstRow),
    scaler,
    targetScaler,
    targetPct,
    trainEnds,
    valEnds,
    train: { windows: trainCount, fromTsMs: ts(startEnd), toTsMs: ts(lastTrain) },
    validation: { windows: valCount, fromTsMs: ts(lastTrain + 1), toTsMs: ts(startEnd + count - 1) },
  };
}

/**
 * Copies windows ends[from..to) into `out` (allocated when omitted) as a [to-from, windowBars,
 * width] block: one `set` of a contiguous slice per window.
 */
export function fillWindows(
  scaled: Float32Array,
  shape: { windowBars: number; width: number },
  ends: ArrayLike<number>,
  from: number,
  to: number,
  out?: Float32Array,
): Float32Array {
  const size = shape.windowBars * shape.width;
  const buf = out ?? new Float32Array((to - from) * size);
  for (let i = from; i < to; i++) {
    const end = ends[i] as number;
    const start = (end - shape.windowBars + 1) * shape.width;
    if (start < 0) throw new RangeError(`window ending at row ${end} starts before row 0`);
    buf.set(scaled.subarray(start, start + size), (i - from) * size);
  }
  return buf;
}

/** Scaled targets of windows ends[from..to). */
export function fillTargets(ds: Pick<Dataset, 'targetPct' | 'targetScaler'>, ends: ArrayLike<number>, from: number, to: number): Float32Array {
  const out = new Float32Array(to - from);
  for (let i = from; i < to; i++) out[i - from] = ((ds.targetPct[ends[i] as number] as number) - ds.targetScaler.mean) / ds.targetScaler.std;
  return out;
}
