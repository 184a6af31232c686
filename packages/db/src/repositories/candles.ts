import { createHash } from 'node:crypto';
import { DataError, allocSeries, parseStepMs, validateSeries, type CandleSeries } from '@mastertrade/core';
import type pg from 'pg';
import type { Db } from '../client.js';

/**
 * Rows per INSERT statement. Each statement sends six arrays (unnest), so there is no bind-parameter
 * limit; 20,000 keeps one statement's text around 2 MB. Measured in bench/db.bench.mjs.
 */
const CHUNK_ROWS = 20_000;

/** SQL for a timestamptz expression as Unix ms (float8; bars and marks sit on whole ms). */
export const epochMsSql = (col: string): string => `round(date_part('epoch', ${col}) * 1000)::float8`;

export interface SaveCandlesReport {
  /** Bars that were not stored before. */
  inserted: number;
  /** Bars already stored with the same values. */
  unchanged: number;
  /**
   * Bars already stored with DIFFERENT values: the stored values are kept (nothing stored is lost);
   * the first few timestamps are listed so the caller can report them.
   */
  conflicting: number;
  conflictSamples: number[];
}

const INPUT = `SELECT to_timestamp(t.ts_ms / 1000.0) AS ts, t.open, t.high, t.low, t.close, t.volume
  FROM unnest($3::float8[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[])
    AS t(ts_ms, open, high, low, close, volume)`;

const INSERT_SQL = `INSERT INTO candles (symbol, timeframe, ts, open, high, low, close, volume)
  SELECT $1, $2, ts, open, high, low, close, volume FROM (${INPUT}) i
  ON CONFLICT (symbol, timeframe, ts) DO NOTHING`;

/**
 * The skipped bars whose stored values differ. The stored side is bounded to the chunk's time range
 * ($9, $10) so the planner scans that slice once and hash-joins, instead of probing per row.
 */
const CONFLICTS_SQL = `SELECT round(date_part('epoch', i.ts) * 1000) AS ms
  FROM (${INPUT}) i
  JOIN (SELECT * FROM candles WHERE symbol = $1 AND timeframe = $2
          AND ts >= to_timestamp($9::float8 / 1000.0) AND ts <= to_timestamp($10::float8 / 1000.0)) c ON c.ts = i.ts
  WHERE (c.open, c.high, c.low, c.close, c.volume) IS DISTINCT FROM (i.open, i.high, i.low, i.close, i.volume)
  ORDER BY i.ts`;

/**
 * Stores a series' bars: new bars are inserted, bars already stored are left as they are and
 * compared, so the caller can report stored bars that differ from the input.
 * Runs in one transaction: either every bar of the series is stored or none is. Storing the same
 * series twice changes nothing. Two writers of overlapping series do not deadlock: both insert in
 * ts order.
 */
export async function saveCandles(db: Db, series: CandleSeries): Promise<SaveCandlesReport> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    const report = await insertChunks(client, series);
    await client.query('COMMIT');
    return report;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

async function insertChunks(client: pg.PoolClient, series: CandleSeries): Promise<SaveCandlesReport> {
  const n = series.tsMs.length;
  const report: SaveCandlesReport = { inserted: 0, unchanged: 0, conflicting: 0, conflictSamples: [] };
  for (let from = 0; from < n; from += CHUNK_ROWS) {
    const to = Math.min(n, from + CHUNK_ROWS);
    const cols = [series.tsMs, series.open, series.high, series.low, series.close, series.volume].map((c) => pgFloatArray(c.subarray(from, to)));
    const ins = await client.query(INSERT_SQL, [series.symbol, series.timeframe, ...cols]);
    const inserted = ins.rowCount ?? 0;
    report.inserted += inserted;
    if (inserted === to - from) continue;
    const { rows } = await client.query<{ ms: number }>(CONFLICTS_SQL, [series.symbol, series.timeframe, ...cols, series.tsMs[from], series.tsMs[to - 1]]);
    report.conflicting += rows.length;
    report.unchanged += to - from - inserted - rows.length;
    for (const r of rows.slice(0, 5 - report.conflictSamples.length)) report.conflictSamples.push(r.ms);
  }
  return report;
}

/** A float8[] literal. `String(x)` of a double is its shortest round-trip form, so no precision is lost. */
function pgFloatArray(a: Float64Array): string {
  let s = '{';
  for (let i = 0; i < a.length; i++) s += (i === 0 ? '' : ',') + String(a[i]);
  return `${s}}`;
}

export interface CandleRange {
  symbol: string;
  timeframe: string;
  /** Inclusive lower bound on the bar open time, ms since epoch; default: the first stored bar. */
  fromMs?: number;
  /** EXCLUSIVE upper bound on the bar open time, ms; default: after the last stored bar. */
  toMs?: number;
}

/**
 * The stored bars of a range as a core CandleSeries (Float64Array columns): no Prisma objects,
 * no Dates, no per-row parsing. The server sends each column as ONE packed binary array
 * (`array_send(array_agg(...))`: 20 header bytes, then a 4-byte length and 8 big-endian bytes per
 * element), which node-postgres hands over as a Buffer. That costs a third of row-by-row text on
 * 26k bars (bench/db.bench.mjs); the times stay exact: timestamptz travels as int64 microseconds
 * since 2000-01-01, and bars sit on whole ms. Not validated: call validateSeries, or use
 * createDataset, which does.
 */
export async function readCandles(db: Db, range: CandleRange): Promise<CandleSeries> {
  const stepMs = parseStepMs(range.timeframe);
  if (stepMs === null) throw new DataError('invalid_bar', range.symbol, range.timeframe, null, `timeframe ${JSON.stringify(range.timeframe)} is not a step such as 5m or 1h`);
  const values: (string | number)[] = [range.symbol, range.timeframe];
  let bounds = '';
  if (range.fromMs !== undefined) bounds += ` AND ts >= to_timestamp($${values.push(range.fromMs)}::float8 / 1000.0)`;
  if (range.toMs !== undefined) bounds += ` AND ts < to_timestamp($${values.push(range.toMs)}::float8 / 1000.0)`;
  const { rows } = await db.pool.query<[number, ...(Buffer | null)[]]>({
    // The sorted subquery feeds every aggregate in ts order (PostgreSQL keeps it when the outer
    // query has no join or grouping; ORDER BY inside each aggregate would sort six times, 3x the
    // server time). unpackArray checks that the times came out strictly ascending.
    text: `SELECT count(*)::int, ${PACKED_COLUMNS.map((c) => `array_send(array_agg(${c}))`).join(', ')}
           FROM (SELECT ${PACKED_COLUMNS.join(', ')} FROM candles WHERE symbol = $1 AND timeframe = $2${bounds} ORDER BY ts) c`,
    values,
    rowMode: 'array',
  });
  const [n, ...packed] = rows[0] as [number, ...(Buffer | null)[]];
  const s = allocSeries(range.symbol, range.timeframe, stepMs, n);
  if (n === 0) return s;
  const cols = columnsOf(s);
  for (let k = 0; k < cols.length; k++) unpackArray(packed[k] ?? null, cols[k] as Float64Array, k === 0, PACKED_COLUMNS[k] as string);
  return s;
}

/** The candles table's columns in the order of columnsOf (ts -> tsMs). */
const PACKED_COLUMNS = ['ts', 'open', 'high', 'low', 'close', 'volume'] as const;
/** The six columns of a series: the order of PACKED_COLUMNS, of datasetHash and of packSeries. */
const columnsOf = (s: CandleSeries): Float64Array[] => [s.tsMs, s.open, s.high, s.low, s.close, s.volume];
/** 2000-01-01T00:00:00Z, PostgreSQL's epoch for binary timestamps, in Unix ms. */
const PG_EPOCH_MS = 946_684_800_000;
/** Header of a one-dimensional binary array: ndim, has-nulls flag, element type, length, lower bound. */
const ARRAY_HEADER_BYTES = 20;

/** Decodes `array_send` of a one-dimensional float8 or timestamptz array into `out`. */
function unpackArray(buf: Buffer | null, out: Float64Array, isTime: boolean, column: string): void {
  const n = out.length;
  if (!buf || buf.length !== ARRAY_HEADER_BYTES + n * 12) throw new Error(`readCandles: column ${column} arrived with ${buf?.length ?? 0} bytes, expected ${ARRAY_HEADER_BYTES + n * 12}`);
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (v.getInt32(0) !== 1 || v.getInt32(4) !== 0 || v.getInt32(12) !== n) throw new Error(`readCandles: column ${column} is not a one-dimensional array of ${n} values without nulls`);
  for (let i = 0, o = ARRAY_HEADER_BYTES; i < n; i++, o += 12) {
    if (v.getInt32(o) !== 8) throw new Error(`readCandles: column ${column} value ${i} is not 8 bytes`);
    // int64 microseconds as two halves: exact, since |us| < 2^53.
    out[i] = isTime ? (v.getInt32(o + 4) * 4_294_967_296 + v.getUint32(o + 8)) / 1000 + PG_EPOCH_MS : v.getFloat64(o + 4);
    if (isTime && i > 0 && !((out[i] as number) > (out[i - 1] as number))) throw new Error(`readCandles: bar times arrived out of order at index ${i}`);
  }
}

/**
 * First and last stored bar (open times, ms) per symbol at a timeframe, from the primary key's
 * ends (no row counting, unlike candleStatus); symbols without candles are left out.
 */
export async function candleBounds(db: pg.Pool | pg.PoolClient, symbols: readonly string[], timeframe: string): Promise<Map<string, { firstMs: number; lastMs: number }>> {
  const { rows } = await db.query<{ symbol: string; first: number; last: number }>(
    `SELECT x.symbol, ${epochMsSql('(SELECT min(ts) FROM candles c WHERE c.symbol = x.symbol AND c.timeframe = $2)')} AS first,
            ${epochMsSql('(SELECT max(ts) FROM candles c WHERE c.symbol = x.symbol AND c.timeframe = $2)')} AS last
     FROM unnest($1::text[]) AS x(symbol)`,
    [symbols, timeframe],
  );
  return new Map(rows.filter((r) => r.first !== null).map((r) => [r.symbol, { firstMs: r.first, lastMs: r.last }]));
}

export interface CandleStatus {
  symbol: string;
  timeframe: string;
  /** Open time of the first and last stored bar, ms. */
  firstMs: number;
  lastMs: number;
  count: number;
  /** Holes in the stored range: runs of one or more missing bars. */
  gaps: number;
  /** Bars missing between first and last. */
  missingBars: number;
}

/** Per symbol and timeframe: first, last, count, holes and missing bars. Cheap (walks the primary key). */
export async function candleStatus(db: Db, filter: { symbol?: string; timeframe?: string } = {}): Promise<CandleStatus[]> {
  const { rows } = await db.pool.query<{ symbol: string; timeframe: string; first_ms: number; last_ms: number; count: number }>(
    `SELECT symbol, timeframe, round(date_part('epoch', min(ts)) * 1000) AS first_ms,
            round(date_part('epoch', max(ts)) * 1000) AS last_ms, count(*)::int AS count
     FROM candles WHERE ($1::text IS NULL OR symbol = $1) AND ($2::text IS NULL OR timeframe = $2)
     GROUP BY symbol, timeframe ORDER BY symbol, timeframe`,
    [filter.symbol ?? null, filter.timeframe ?? null],
  );
  const out: CandleStatus[] = [];
  for (const r of rows) {
    const stepMs = parseStepMs(r.timeframe);
    let gaps = 0;
    let missingBars = 0;
    if (stepMs !== null) {
      const g = await db.pool.query<{ gaps: number; missing: number }>(
        `SELECT count(*)::int AS gaps, coalesce(sum(round(diff / $3) - 1), 0)::float8 AS missing FROM (
           SELECT round(date_part('epoch', ts - lag(ts) OVER (ORDER BY ts)) * 1000) AS diff
           FROM candles WHERE symbol = $1 AND timeframe = $2) d
         WHERE diff > $3`,
        [r.symbol, r.timeframe, stepMs],
      );
      gaps = g.rows[0]?.gaps ?? 0;
      missingBars = g.rows[0]?.missing ?? 0;
    }
    out.push({ symbol: r.symbol, timeframe: r.timeframe, firstMs: r.first_ms, lastMs: r.last_ms, count: r.count, gaps, missingBars });
  }
  return out;
}

/** The open time of the last stored bar, ms, or null: where a fetch resumes. */
export async function lastCandleMs(db: Db, symbol: string, timeframe: string): Promise<number | null> {
  const { rows } = await db.pool.query<{ ms: number | null }>(
    `SELECT round(date_part('epoch', max(ts)) * 1000) AS ms FROM candles WHERE symbol = $1 AND timeframe = $2`,
    [symbol, timeframe],
  );
  return rows[0]?.ms ?? null;
}

/**
 * Content hash of a dataset: SHA-256 over a version tag, the timeframe and, per symbol in the
 * given order, its name, bar count and the six float64 columns' bytes. Same bars, same hash,
 * whichever database or source they came from.
 */
export function datasetHash(timeframe: string, series: readonly CandleSeries[]): string {
  const h = createHash('sha256');
  h.update(`mastertrade-dataset-v1\n${timeframe}\n`);
  for (const s of series) {
    h.update(`${s.symbol}\n${s.tsMs.length}\n`);
    for (const col of columnsOf(s)) h.update(littleEndian(col));
  }
  return h.digest('hex');
}

const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/**
 * A dataset's candles as one value: per series in order, its six columns as float64
 * little-endian (the bytes datasetHash covers, without the names and counts).
 */
export function packSeries(series: readonly CandleSeries[]): Buffer {
  return Buffer.concat(series.flatMap((s) => columnsOf(s).map(littleEndian)));
}

/**
 * packSeries' inverse, given what the dataset row records: the symbols in order, their
 * timeframe and bars per symbol. Null if the value's length does not fit them.
 */
export function unpackSeries(packed: Uint8Array, symbols: readonly string[], timeframe: string, bars: number): CandleSeries[] | null {
  const stepMs = parseStepMs(timeframe);
  if (stepMs === null || packed.length !== symbols.length * 6 * bars * 8) return null;
  let off = 0;
  return symbols.map((symbol) => {
    const s = allocSeries(symbol, timeframe, stepMs, bars);
    for (const col of columnsOf(s)) {
      const bytes = packed.subarray(off, off + bars * 8);
      if (LITTLE_ENDIAN) new Uint8Array(col.buffer, col.byteOffset, col.byteLength).set(bytes);
      else {
        const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        for (let i = 0; i < bars; i++) col[i] = v.getFloat64(i * 8, true);
      }
      off += bars * 8;
    }
    return s;
  });
}

function littleEndian(col: Float64Array): Uint8Array {
  const bytes = new Uint8Array(col.buffer, col.byteOffset, col.byteLength);
  if (LITTLE_ENDIAN) return bytes;
  const out = new Uint8Array(col.length * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < col.length; i++) view.setFloat64(i * 8, col[i] as number, true);
  return out;
}
