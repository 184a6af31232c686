/** Our RSI/EMA/BB/ATR against technicalindicators on the same candles: values per second. */
import { atr, bollinger, ema, rsi } from '@mastertrade/core';
import ti from 'technicalindicators';
import { median } from './stats.mjs';

/** Times `fn` in samples of `inner` calls (chosen so a sample takes >= ~40 ms); median seconds per call. */
function secondsPerCall(fn) {
  fn();
  let inner = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) fn();
    const dt = performance.now() - t0;
    if (dt >= 40) break;
    inner *= 2;
  }
  const samples = [];
  for (let s = 0; s < 7; s++) {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) fn();
    samples.push((performance.now() - t0) / inner);
  }
  return median(samples) / 1000;
}

/** Largest |ours - theirs| over the values both define (theirs is unpadded; its RSI is rounded to 2 decimals). */
function maxDiff(ours, theirs) {
  const off = ours.length - theirs.length;
  let d = 0;
  for (let i = 0; i < theirs.length; i++) d = Math.max(d, Math.abs(ours[i + off] - theirs[i]));
  return d;
}

export function compareIndicators(s) {
  const close = Array.from(s.close);
  const high = Array.from(s.high);
  const low = Array.from(s.low);
  const n = s.close.length;
  const cases = [
    {
      name: 'RSI(14)',
      ours: () => rsi(s.close, 14),
      theirs: () => ti.RSI.calculate({ values: close, period: 14 }),
      diff: (o, t) => maxDiff(o, t),
    },
    {
      name: 'EMA(20)',
      ours: () => ema(s.close, 20),
      theirs: () => ti.EMA.calculate({ values: close, period: 20 }),
      diff: (o, t) => maxDiff(o, t),
    },
    {
      name: 'BB(20,2)',
      ours: () => bollinger(s.close, 20, 2),
      theirs: () => ti.BollingerBands.calculate({ values: close, period: 20, stdDev: 2 }),
      diff: (o, t) => Math.max(maxDiff(o.upper, t.map((x) => x.upper)), maxDiff(o.lower, t.map((x) => x.lower))),
    },
    {
      name: 'ATR(14)',
      ours: () => atr(s.high, s.low, s.close, 14),
      theirs: () => ti.ATR.calculate({ high, low, close, period: 14 }),
      diff: (o, t) => maxDiff(o, t),
    },
  ];
  return cases.map((c) => {
    const diff = c.diff(c.ours(), c.theirs());
    const oursS = secondsPerCall(c.ours);
    const theirsS = secondsPerCall(c.theirs);
    return { name: c.name, n, oursPerSec: n / oursS, theirsPerSec: n / theirsS, ratio: theirsS / oursS, maxDiff: diff };
  });
}
