/** Small timing helpers shared by the benchmarks (plain Node, no dependencies). */

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs `fn` `warmup` times untimed, then `reps` times timed; returns the sorted times in ms. */
export function timeReps(fn, { warmup = 1, reps = 5 } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  const times = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

/** 12345678 -> "12.35 M" */
export function si(x, digits = 2) {
  const units = [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [f, u] of units) if (Math.abs(x) >= f) return `${(x / f).toFixed(digits)} ${u}`;
  return x.toFixed(digits);
}

export const ms = (x) => `${x.toFixed(1)} ms`;
export const spread = (times) => `min ${times[0].toFixed(1)} / max ${times[times.length - 1].toFixed(1)} ms`;
