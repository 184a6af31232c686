import { DataError, validateSeries, type CandleSeries } from '@mastertrade/core';
import type { Db } from '../client.js';
import type { Dataset } from '../generated/prisma/client.js';
import { candleBounds, datasetHash, packSeries, readCandles, unpackSeries } from './candles.js';

export interface CreateDatasetOptions {
  symbols: readonly string[];
  /** Step of the stored candles, e.g. `5m`. */
  timeframe: string;
  /** Inclusive bar open time, ms; default: the latest first bar among the symbols. */
  fromMs?: number;
  /** EXCLUSIVE bar open time, ms; default: just after the earliest last bar among the symbols. */
  toMs?: number;
  /** Where the candles came from (`ccxt:binance`, `stored`, `embedded`, ...), recorded on the row. */
  source?: string;
}

export interface LoadedDataset {
  dataset: Dataset;
  /** One validated series per symbol, in `symbols` order, sharing timestamps. */
  series: CandleSeries[];
}

/**
 * Fixes the candles a cycle uses: reads each symbol's range (by default the range every symbol
 * covers), checks it (valid bars, no gaps, same timestamps for every symbol: DataError naming
 * symbol and ts otherwise, so a gap is reported, never papered over), hashes it and stores the
 * dataset row. The same candles give the same id, so this is idempotent.
 */
export async function createDataset(db: Db, opts: CreateDatasetOptions): Promise<LoadedDataset> {
  if (opts.symbols.length === 0) throw new Error('createDataset: at least one symbol is required');
  let { fromMs, toMs } = opts;
  if (fromMs === undefined || toMs === undefined) {
    const bounds = await candleBounds(db.pool, opts.symbols, opts.timeframe);
    for (const symbol of opts.symbols) {
      const st = bounds.get(symbol);
      if (!st) throw new DataError('empty', symbol, opts.timeframe, null, 'no stored candles (import, seed or fetch them first)');
      if (opts.fromMs === undefined) fromMs = Math.max(fromMs ?? -Infinity, st.firstMs);
      if (opts.toMs === undefined) toMs = Math.min(toMs ?? Infinity, st.lastMs + 1);
    }
  }
  const series = await Promise.all(opts.symbols.map((symbol) => readCandles(db, { symbol, timeframe: opts.timeframe, fromMs, toMs })));
  checkSeries(series, opts.timeframe);
  const first = series[0] as CandleSeries;
  const id = datasetHash(opts.timeframe, series);
  // Plain SQL (as loadDataset): the generator's first query would otherwise pay Prisma's start-up.
  // The packed candles are stored with the row (kept once stored: same id, same bytes), so
  // readers load the dataset as one value (loadDataset). A row that already holds them (a cycle
  // on unchanged candles) is returned without sending them again. Idempotent and race-free.
  const found = await db.pool.query<Dataset & { hasCopy: boolean }>(`SELECT ${DATASET_COLUMNS}, columns IS NOT NULL AS "hasCopy" FROM datasets WHERE id = $1`, [id]);
  const existing = found.rows[0];
  if (existing?.hasCopy) {
    const { hasCopy: _hasCopy, ...dataset } = existing;
    return { dataset, series };
  }
  const { rows } = await db.pool.query<Dataset>(
    `INSERT INTO datasets (id, symbols, timeframe, from_ts, to_ts, bars, source, columns)
     VALUES ($1, $2, $3, to_timestamp($4::float8 / 1000.0), to_timestamp($5::float8 / 1000.0), $6, $7, $8)
     ON CONFLICT (id) DO UPDATE SET columns = coalesce(datasets.columns, EXCLUDED.columns)
     RETURNING ${DATASET_COLUMNS}`,
    [id, [...opts.symbols], opts.timeframe, first.tsMs[0], first.tsMs[first.tsMs.length - 1], first.tsMs.length, opts.source ?? null, packSeries(series)],
  );
  const dataset = rows[0] as Dataset;
  return { dataset, series };
}

/**
 * A stored dataset's candles, checked against its content hash. They come from the row's packed
 * copy (one value instead of aggregating the candles table: a backtest worker's or the learner's
 * read in bench:cycle); a dataset without one, or whose copy does not match the hash, is read
 * from the candles table, and an error says if those no longer match either.
 */
export async function loadDataset(db: Db, id: string): Promise<LoadedDataset> {
  // Plain SQL: a backtest worker's first batch waits on this, and Prisma's first query pays its start-up.
  const found = await db.pool.query<Dataset & { packed: Buffer | null }>(`SELECT ${DATASET_COLUMNS}, columns AS packed FROM datasets WHERE id = $1`, [id]);
  const row = found.rows[0];
  if (!row) throw new Error(`dataset ${id} does not exist`);
  const { packed, ...dataset } = row;
  const unpacked = packed ? unpackSeries(packed, dataset.symbols, dataset.timeframe, dataset.bars) : null;
  if (unpacked && datasetHash(dataset.timeframe, unpacked) === dataset.id) {
    checkSeries(unpacked, dataset.timeframe);
    return { dataset, series: unpacked };
  }
  const series = await Promise.all(
    dataset.symbols.map((symbol) =>
      readCandles(db, { symbol, timeframe: dataset.timeframe, fromMs: dataset.fromTs.getTime(), toMs: dataset.toTs.getTime() + 1 }),
    ),
  );
  checkSeries(series, dataset.timeframe);
  const hash = datasetHash(dataset.timeframe, series);
  if (hash !== dataset.id) {
    throw new Error(`the stored candles of dataset ${id} no longer match its content hash (hash now ${hash})`);
  }
  return { dataset, series };
}

const DATASET_COLUMNS = `id, symbols, timeframe, from_ts AS "fromTs", to_ts AS "toTs", bars, source, created_at AS "createdAt"`;

function checkSeries(series: readonly CandleSeries[], timeframe: string): void {
  for (const s of series) validateSeries(s);
  const first = series[0] as CandleSeries;
  for (const s of series) {
    if (s.tsMs.length !== first.tsMs.length || s.tsMs[0] !== first.tsMs[0]) {
      throw new DataError(
        'misaligned',
        s.symbol,
        timeframe,
        s.tsMs[0] ?? null,
        `${s.symbol} has ${s.tsMs.length} bars from ${new Date(s.tsMs[0] as number).toISOString()}, ${first.symbol} ${first.tsMs.length} from ${new Date(first.tsMs[0] as number).toISOString()}`,
      );
    }
  }
}
