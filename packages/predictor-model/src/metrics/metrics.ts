/**
 * Validation metrics of a next-bar change forecast, and the two naive baselines every forecast
 * has to beat before it is worth anything.
 *
 * Units: `mae` and `rmse` in percentage points of the next bar's close change (0.3 = 0.3 %);
 * `mapePrice` in % of the price (the predicted close vs the realised close); accuracies and
 * shares in [0, 1].
 */
export interface ErrorMetrics {
  mae: number;
  rmse: number;
  /** Mean absolute % error of the predicted next close. Small for any forecast: one bar rarely moves far. */
  mapePrice: number;
  /** Share of bars whose predicted direction matched (bars where either is exactly 0 are left out); null when the forecast never gives a direction. */
  directionalAccuracy: number | null;
}

export interface ValidationReport {
  windows: number;
  model: ErrorMetrics;
  /** Baseline: the price does not move (predict 0 %). */
  zeroChange: ErrorMetrics;
  /** Baseline: the next change equals the last one. */
  lastChange: ErrorMetrics;
  /** 1 - MAE_model / MAE_zero: > 0 means better than predicting no change. */
  skill: number;
  /** 1 - MAE_model / MAE_last. */
  skillVsLastChange: number;
  /** Share of validation bars that closed up: what "always up" would score on direction. */
  upShare: number;
  /** Beats both baselines on MAE: only then may the prediction be used as a signal. */
  usable: boolean;
  /** One plain sentence saying so. */
  verdict: string;
}

/**
 * Metrics of `pred` against `actual` (both % changes); `close` is the price each change
 * applies to (the close of the bar the prediction is made at).
 */
export function errorMetrics(pred: ArrayLike<number>, actual: ArrayLike<number>, close: ArrayLike<number>): ErrorMetrics {
  const n = actual.length;
  if (n === 0 || pred.length !== n || close.length !== n) throw new RangeError(`errorMetrics: lengths ${pred.length}/${n}/${close.length}`);
  let abs = 0;
  let sq = 0;
  let ape = 0;
  let hits = 0;
  let directed = 0;
  for (let i = 0; i < n; i++) {
    const p = pred[i] as number;
    const a = actual[i] as number;
    const c = close[i] as number;
    const e = p - a;
    abs += Math.abs(e);
    sq += e * e;
    const predictedClose = c * (1 + p / 100);
    const actualClose = c * (1 + a / 100);
    ape += Math.abs(predictedClose - actualClose) / actualClose;
    if (p !== 0 && a !== 0) {
      directed++;
      if (Math.sign(p) === Math.sign(a)) hits++;
    }
  }
  return { mae: abs / n, rmse: Math.sqrt(sq / n), mapePrice: (100 * ape) / n, directionalAccuracy: directed === 0 ? null : hits / directed };
}

/**
 * The model against both baselines on the same windows. `lastChange[i]` is the change of the
 * bar that closed at window i's last bar (known when the prediction is made).
 */
export function validationReport(input: { pred: ArrayLike<number>; actual: ArrayLike<number>; lastChange: ArrayLike<number>; close: ArrayLike<number> }): ValidationReport {
  const n = input.actual.length;
  const model = errorMetrics(input.pred, input.actual, input.close);
  const zeroChange = errorMetrics(new Float64Array(n), input.actual, input.close);
  const lastChange = errorMetrics(input.lastChange, input.actual, input.close);
  let up = 0;
  for (let i = 0; i < n; i++) if ((input.actual[i] as number) > 0) up++;
  const skill = 1 - model.mae / zeroChange.mae;
  const skillVsLastChange = 1 - model.mae / lastChange.mae;
  const usable = skill > 0 && skillVsLastChange > 0;
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const verdict = usable
    ? `beats both naive baselines on validation MAE (skill ${pct(skill)} vs zero change, ${pct(skillVsLastChange)} vs last change)`
    : skill <= 0
      ? `does NOT beat the zero-change baseline (MAE ${model.mae.toFixed(4)} vs ${zeroChange.mae.toFixed(4)} percentage points, skill ${pct(skill)}): not usable as a signal`
      : `does NOT beat the last-change baseline (MAE ${model.mae.toFixed(4)} vs ${lastChange.mae.toFixed(4)} percentage points): not usable as a signal`;
  return { windows: n, model, zeroChange, lastChange, skill, skillVsLastChange, upShare: up / n, usable, verdict };
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}
