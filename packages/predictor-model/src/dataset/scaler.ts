/**
 * Per-feature standardisation (x - mean) / std, with statistics fitted on the training split
 * only: the validation rows never influence them (no leakage). Plain numbers, so it is stored
 * with the model (meta.json and the database row) and reapplied at prediction time.
 */
export interface Scaler {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/** A standardiser of one value (the target): mean and std of the training targets. */
export interface TargetScaler {
  readonly mean: number;
  readonly std: number;
}

/**
 * Fits mean and (population) std per column over rows [fromRow, toRow] inclusive of a
 * row-major matrix. A constant column gets std 1 so it scales to 0 rather than to NaN.
 */
export function fitScaler(values: Float64Array, width: number, fromRow: number, toRow: number): Scaler {
  const count = toRow - fromRow + 1;
  if (!(count >= 2)) throw new RangeError(`fitScaler needs at least 2 rows, got ${count}`);
  const mean = new Array<number>(width).fill(0);
  const m2 = new Array<number>(width).fill(0);
  // Welford: one pass, stable for columns with a large offset (log volume).
  for (let r = fromRow, k = 1; r <= toRow; r++, k++) {
    for (let f = 0; f < width; f++) {
      const x = values[r * width + f] as number;
      const mu = mean[f] as number;
      const d = x - mu;
      const mu2 = mu + d / k;
      mean[f] = mu2;
      m2[f] = (m2[f] as number) + d * (x - mu2);
    }
  }
  const std = m2.map((v) => {
    const sd = Math.sqrt(v / count);
    return sd > 1e-12 && Number.isFinite(sd) ? sd : 1;
  });
  return { mean, std };
}

/**
 * The whole matrix scaled into float32 (what the model consumes). Rows before `firstRow`
 * (warm-up, NaN) become 0; no window ever reads them.
 */
export function applyScaler(scaler: Scaler, values: Float64Array, width: number, firstRow: number): Float32Array {
  const out = new Float32Array(values.length);
  const rows = values.length / width;
  for (let r = firstRow; r < rows; r++) {
    for (let f = 0; f < width; f++) {
      const k = r * width + f;
      out[k] = ((values[k] as number) - (scaler.mean[f] as number)) / (scaler.std[f] as number);
    }
  }
  return out;
}

export function fitTargetScaler(targets: ArrayLike<number>): TargetScaler {
  const n = targets.length;
  if (n < 2) throw new RangeError(`fitTargetScaler needs at least 2 values, got ${n}`);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += targets[i] as number;
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += ((targets[i] as number) - mean) ** 2;
  const std = Math.sqrt(ss / n);
  return { mean, std: std > 1e-12 ? std : 1 };
}
