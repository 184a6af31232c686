import { DataError, isTimeframe } from '@mastertrade/core';
import { candleBounds, createDataset, saveCandles, type Db } from '@mastertrade/db';
import { EMBEDDED_SYMBOLS, openCandleDirectory } from '@mastertrade/market-data';

const DAY_MS = 86_400_000;

export interface PreparedDataset {
  datasetId: string;
  /** `fetched`, `stored` or `embedded`. */
  source: string;
  /** Why the source is not the exchange (offline, fetch failed), or null. */
  note: string | null;
  bars: number;
  fromMs: number;
  toMs: number;
}

export interface PrepareDatasetOptions {
  symbols: readonly string[];
  days: number;
  baseTimeframe: string;
  /** Fetches fresh candles into the database (the data-fetcher); its failure falls back to stored data. */
  fetch?: (symbols: readonly string[]) => Promise<void>;
}

/**
 * Fixes the candles of a cycle: fetch if a fetcher is given (a failure is noted, not fatal),
 * seed the embedded set for symbols the database lacks, then take the last `days` days that
 * every symbol covers as the dataset (content-hashed, so identical data is one dataset).
 */
export async function prepareDataset(db: Db, opts: PrepareDatasetOptions): Promise<PreparedDataset> {
  const notes: string[] = [];
  let source = 'stored';
  if (opts.fetch) {
    try {
      await opts.fetch(opts.symbols);
      source = 'fetched';
    } catch (err) {
      notes.push(`candle fetch failed (${(err as Error).message.slice(0, 200)}); using stored data`);
    }
  }
  let bounds = await candleBounds(db.pool, opts.symbols, opts.baseTimeframe);
  const missing = opts.symbols.filter((s) => !bounds.has(s));
  if (missing.length > 0) {
    const embeddable = missing.filter((s) => (EMBEDDED_SYMBOLS as readonly string[]).includes(s));
    if (embeddable.length < missing.length || !isTimeframe(opts.baseTimeframe)) {
      const absent = missing.filter((s) => !embeddable.includes(s));
      throw new DataError('empty', absent[0] ?? missing[0] ?? '?', opts.baseTimeframe, null, `no stored candles and no embedded data for ${absent.join(', ')}`);
    }
    const dir = openCandleDirectory('embedded');
    for (const s of embeddable) await saveCandles(db, dir.series(s, opts.baseTimeframe));
    notes.push(`seeded the embedded data set for ${embeddable.join(', ')}`);
    source = 'embedded';
    bounds = await candleBounds(db.pool, opts.symbols, opts.baseTimeframe);
  }
  const mine = [...bounds.values()];
  const toMs = Math.min(...mine.map((s) => s.lastMs)) + 1;
  const fromMs = Math.max(...mine.map((s) => s.firstMs), toMs - opts.days * DAY_MS);
  const { dataset } = await createDataset(db, { symbols: opts.symbols, timeframe: opts.baseTimeframe, fromMs, toMs, source });
  return { datasetId: dataset.id, source, note: notes.length ? notes.join('; ') : null, bars: dataset.bars, fromMs, toMs };
}
