import { invalidBarReason, type Candle } from '@mastertrade/core';
import { InvalidResponseError } from '../provider.js';
import type { OhlcvRow } from './schema.js';

/**
 * Unified rows → core candles: keeps bars from `sinceMs` on, drops a bar whose period has not
 * ended by `nowMs` (the exchange's still-open last candle), and refuses invalid bars and bars
 * out of order, naming the bar.
 */
export function toCandles(rows: readonly OhlcvRow[], opts: { symbol: string; timeframe: string; stepMs: number; sinceMs: number; nowMs: number }): Candle[] {
  const out: Candle[] = [];
  let prev = -Infinity;
  for (const [tsMs, open, high, low, close, volume] of rows) {
    if (tsMs < opts.sinceMs) continue;
    if (tsMs + opts.stepMs > opts.nowMs) break;
    const c: Candle = { tsMs, open, high, low, close, volume };
    const where = `${opts.symbol} ${opts.timeframe} bar at ${new Date(tsMs).toISOString()}`;
    if (tsMs % opts.stepMs !== 0) throw new InvalidResponseError(`${where} is not aligned to the ${opts.timeframe} step`);
    if (tsMs <= prev) throw new InvalidResponseError(`${where} is out of order or duplicated`);
    const reason = invalidBarReason(c);
    if (reason) throw new InvalidResponseError(`${where} is invalid: ${reason}`);
    out.push(c);
    prev = tsMs;
  }
  return out;
}
