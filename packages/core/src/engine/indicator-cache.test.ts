import { describe, expect, it } from 'vitest';
import type { IndicatorOperand, Operand } from '../genome/schema.js';
import { atr, bollinger, ema, highest, lowest, macd, natr, rsi, sma, volumeRatio } from '../indicators/index.js';
import { firstDifference } from '../fixtures/no-lookahead.js';
import { realSeries } from '../fixtures/real-data.js';
import { compute, IndicatorCache, operandKey } from './indicator-cache.js';

const s = realSeries('BTCUSDT', '1h');

/** Every operand kind with the column it must give, from the indicator functions directly. */
const OPERANDS: [IndicatorOperand, Float64Array][] = [
  [{ ind: 'close' }, s.close],
  [{ ind: 'open' }, s.open],
  [{ ind: 'high' }, s.high],
  [{ ind: 'low' }, s.low],
  [{ ind: 'volume' }, s.volume],
  [{ ind: 'sma', period: 20 }, sma(s.close, 20)],
  [{ ind: 'ema', period: 20 }, ema(s.close, 20)],
  [{ ind: 'rsi', period: 14 }, rsi(s.close, 14)],
  [{ ind: 'atr', period: 14 }, atr(s.high, s.low, s.close, 14)],
  [{ ind: 'natr', period: 14 }, natr(s.high, s.low, s.close, 14)],
  [{ ind: 'volratio', period: 16 }, volumeRatio(s.volume, 16)],
  [{ ind: 'highest', period: 48 }, highest(s.high, 48)],
  [{ ind: 'lowest', period: 48 }, lowest(s.low, 48)],
  [{ ind: 'macd', fast: 12, slow: 26, signal: 9, out: 'line' }, macd(s.close, 12, 26, 9).line],
  [{ ind: 'macd', fast: 12, slow: 26, signal: 9, out: 'signal' }, macd(s.close, 12, 26, 9).signal],
  [{ ind: 'macd', fast: 12, slow: 26, signal: 9, out: 'hist' }, macd(s.close, 12, 26, 9).hist],
  [{ ind: 'bb', period: 20, k: 2, out: 'upper' }, bollinger(s.close, 20, 2).upper],
  [{ ind: 'bb', period: 20, k: 2, out: 'middle' }, bollinger(s.close, 20, 2).middle],
  [{ ind: 'bb', period: 20, k: 2, out: 'lower' }, bollinger(s.close, 20, 2).lower],
  [{ ind: 'bb', period: 20, k: 1.5, out: 'upper' }, bollinger(s.close, 20, 1.5).upper],
];

const n = s.close.length;
const expectSame = (label: string, got: Float64Array, want: Float64Array) => {
  expect(got.length, label).toBe(n);
  expect(firstDifference(got, want, n), `${label}: first differing bar`).toBe(-1);
};

describe('IndicatorCache', () => {
  it('gives every operand the column of its indicator function, cached or not', () => {
    const cache = new IndicatorCache();
    for (const [o, want] of OPERANDS) {
      expectSame(`compute ${operandKey(o)}`, compute(s, o), want);
      expectSame(`cached ${operandKey(o)}`, cache.column(s, o), want);
      expectSame(`cached again ${operandKey(o)}`, cache.column(s, o), want);
    }
  });

  it('gives a number operand a filled column', () => {
    const col = new IndicatorCache().column(s, 30);
    expect(col.length).toBe(n);
    expect(col.every((v) => v === 30)).toBe(true);
  });

  it('gives the same columns in any order and under constant eviction', () => {
    const tiny = new IndicatorCache(n * 8); // room for one column
    for (const [o, want] of [...OPERANDS].reverse()) expectSame(`tiny cache ${operandKey(o)}`, tiny.column(s, o), want);
    for (const [o, want] of OPERANDS) expectSame(`tiny cache, again ${operandKey(o)}`, tiny.column(s, o), want);
  });

  it('keeps series apart', () => {
    const cache = new IndicatorCache();
    const eth = realSeries('ETHUSDT', '1h');
    const o: Operand = { ind: 'sma', period: 20 };
    expectSame('BTC', cache.column(s, o), sma(s.close, 20));
    expectSame('ETH', cache.column(eth, o), sma(eth.close, 20));
  });

  it('keys operands by every parameter', () => {
    const keys = OPERANDS.map(([o]) => operandKey(o));
    expect(new Set(keys).size, 'distinct operands, distinct keys').toBe(keys.length);
    expect(operandKey(30)).not.toBe(operandKey(30.5));
  });
});
