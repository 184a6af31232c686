import { isTimeframe, type Candle, type CandleSeries } from '@mastertrade/core';
import { EMBEDDED_SYMBOLS, openCandleDirectory, type CandleDirectory } from '@mastertrade/market-data';
import { SourceRejectedError, type CandleProvider, type FetchPageParams } from '../provider.js';

const PAGE = 5_000;

/**
 * The shipped data set (real Bybit 5m candles, 90 days, three symbols). Historical: its "now" is
 * the end of the set, so "the last N days" means the set's last N days.
 */
export class EmbeddedProvider implements CandleProvider {
  readonly id = 'embedded';
  readonly healthSymbol = EMBEDDED_SYMBOLS[0];
  readonly #dir: CandleDirectory;

  constructor(dir: CandleDirectory = openCandleDirectory('embedded')) {
    this.#dir = dir;
  }

  nowMs(): number {
    const s = this.#dir.series(this.healthSymbol, '5m');
    return (s.tsMs[s.tsMs.length - 1] as number) + s.stepMs;
  }

  async *pages(p: FetchPageParams): AsyncIterable<Candle[]> {
    if (!this.#dir.symbols.includes(p.symbol)) throw new SourceRejectedError(`the embedded set has no ${p.symbol} (it has ${this.#dir.symbols.join(', ')})`);
    if (!isTimeframe(p.timeframe)) throw new SourceRejectedError(`the embedded set serves 5m, 15m, 1h and 4h, not ${p.timeframe}`);
    const s: CandleSeries = this.#dir.series(p.symbol, p.timeframe);
    let i = 0;
    while (i < s.tsMs.length && (s.tsMs[i] as number) < p.sinceMs) i++;
    for (; i < s.tsMs.length; i += PAGE) {
      p.signal?.throwIfAborted();
      const page: Candle[] = [];
      for (let j = i; j < Math.min(s.tsMs.length, i + PAGE); j++) {
        page.push({ tsMs: s.tsMs[j] as number, open: s.open[j] as number, high: s.high[j] as number, low: s.low[j] as number, close: s.close[j] as number, volume: s.volume[j] as number });
      }
      yield page;
    }
  }

  async close(): Promise<void> {}
}
