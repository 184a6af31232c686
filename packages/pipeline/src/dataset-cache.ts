import { DataError, IndicatorCache, resample, timeframeMs, type CandleSeries, type Timeframe } from '@mastertrade/core';
import { loadDataset, type Db } from '@mastertrade/db';

interface Entry {
  base: Map<string, CandleSeries>;
  resampled: Map<string, CandleSeries>;
  indicators: IndicatorCache;
}

/**
 * A worker process's candles: each dataset is read from PostgreSQL once, resampled once per
 * timeframe, and its indicator columns are shared by every strategy the process runs on it.
 * Keeps the most recent `keep` datasets.
 */
export class DatasetCache {
  readonly #entries = new Map<string, Promise<Entry>>();
  constructor(
    private readonly db: Db,
    private readonly keep = 2,
    private readonly indicatorBytes = 192 * 1024 * 1024,
  ) {}

  async get(datasetId: string): Promise<{ series: (symbol: string, tf: Timeframe) => CandleSeries; indicators: IndicatorCache }> {
    let p = this.#entries.get(datasetId);
    if (!p) {
      p = loadDataset(this.db, datasetId).then(({ series }) => ({
        base: new Map(series.map((s) => [s.symbol, s])),
        resampled: new Map(),
        indicators: new IndicatorCache(this.indicatorBytes, { reuse: true }),
      }));
      p.catch(() => this.#entries.delete(datasetId));
      this.#entries.set(datasetId, p);
      while (this.#entries.size > this.keep) this.#entries.delete(this.#entries.keys().next().value as string);
    }
    const e = await p;
    return {
      indicators: e.indicators,
      series: (symbol, tf) => {
        const key = `${symbol}|${tf}`;
        let s = e.resampled.get(key);
        if (!s) {
          const base = e.base.get(symbol);
          // A data error, so the strategy asking for it fails alone instead of failing its batch job.
          if (!base) throw new DataError('empty', symbol, tf, null, `dataset ${datasetId} has no candles for this symbol`);
          s = resample(base, tf, timeframeMs(tf));
          e.resampled.set(key, s);
        }
        return s;
      },
    };
  }
}
