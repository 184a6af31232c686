import { DataError, allocSeries, validateSeries, type CandleSeries } from './series.js';

const COLUMNS = ['timestamp', 'open', 'high', 'low', 'close', 'volume'] as const;

export interface ParseCsvOptions {
  symbol: string;
  /** Step label of the file, e.g. `5m`. */
  timeframe: string;
  stepMs: number;
}

/**
 * Parses candle CSV text (`timestamp,open,high,low,close,volume`, header first; ISO 8601
 * times or epoch milliseconds) into a validated series. Every problem is a DataError naming
 * symbol, timeframe, ts (where known) and the 1-based line.
 */
export function parseCandleCsv(text: string, opts: ParseCsvOptions): CandleSeries {
  const { symbol, timeframe, stepMs } = opts;
  const rows = text.split('\n');
  const header = (rows[0] ?? '').replace(/^\uFEFF/, '').trim().toLowerCase().split(',').map((h) => h.trim());
  const index = COLUMNS.map((c) => header.indexOf(c));
  const missing = COLUMNS.filter((_, k) => index[k] === -1);
  if (missing.length > 0) {
    throw new DataError('missing_column', symbol, timeframe, null, `missing column(s): ${missing.join(', ')}`, 1);
  }
  const [iTs, iOpen, iHigh, iLow, iClose, iVolume] = index as [number, number, number, number, number, number];
  let last = rows.length - 1;
  while (last > 0 && (rows[last] as string).trim() === '') last--;
  const s = allocSeries(symbol, timeframe, stepMs, last);
  const lines = new Int32Array(last);
  const fields = [iOpen, iHigh, iLow, iClose, iVolume];
  const columns = [s.open, s.high, s.low, s.close, s.volume];
  for (let r = 1; r <= last; r++) {
    const line = r + 1;
    const i = r - 1;
    const cells = (rows[r] as string).split(',');
    const rawTs = cells[iTs]?.trim() ?? '';
    const ts = parseTimestamp(rawTs);
    if (ts === null) throw new DataError('bad_number', symbol, timeframe, null, `bad timestamp ${JSON.stringify(rawTs)}`, line);
    s.tsMs[i] = ts;
    lines[i] = line;
    for (let k = 0; k < fields.length; k++) {
      const raw = cells[fields[k] as number];
      const v = raw === undefined ? NaN : parseNumber(raw);
      if (!Number.isFinite(v)) {
        const name = COLUMNS[k + 1] as string;
        throw new DataError('bad_number', symbol, timeframe, ts, `bad number in column ${name}: ${JSON.stringify(raw ?? '')}`, line);
      }
      (columns[k] as Float64Array)[i] = v;
    }
  }
  validateSeries(s, lines);
  return s;
}

function parseNumber(raw: string): number {
  const t = raw.trim();
  // Number('') is 0 and Number('0x10') is 16: only plain decimal notation is a number here.
  if (t === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return NaN;
  return Number(t);
}

/** ISO 8601 with an explicit zone (`Z` or `+00:00`), `YYYY-MM-DD HH:MM:SS+00:00`, or epoch ms. */
export function parseTimestamp(raw: string): number | null {
  if (/^\d{10,14}$/.test(raw)) return Number(raw);
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(raw)) return null;
  const ms = Date.parse(raw.replace(' ', 'T'));
  return Number.isFinite(ms) ? ms : null;
}
