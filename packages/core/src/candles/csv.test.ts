import { describe, expect, it } from 'vitest';
import { parseCandleCsv, parseTimestamp } from './csv.js';
import { DataError } from './series.js';

const OPTS = { symbol: 'SOLUSDT', timeframe: '5m', stepMs: 300_000 };
const HEADER = 'timestamp,open,high,low,close,volume';
const T0 = Date.UTC(2025, 3, 3, 17, 5); // 2025-04-03 17:05
const M5 = 300_000;

/** A file from data rows (the header is line 1, so rows[i] is line i+2). */
const csv = (...rows: string[]): string => [HEADER, ...rows].join('\n');
const ROW1 = '2025-04-03 17:05:00+00:00,100,101,99,100.5,10';
const ROW2 = '2025-04-03 17:10:00+00:00,100.5,102,100,101,12';
const ROW3 = '2025-04-03 17:15:00+00:00,101,101.5,100.5,101,0';

interface Expected {
  kind: DataError['kind'];
  ts: number | null;
  line: number;
}

function dataError(text: string): DataError {
  try {
    parseCandleCsv(text, OPTS);
  } catch (err) {
    if (err instanceof DataError) return err;
    throw err;
  }
  throw new Error('expected a DataError, the file was accepted');
}

function expectRefused(what: string, text: string, want: Expected): DataError {
  const e = dataError(text);
  expect({ kind: e.kind, symbol: e.symbol, timeframe: e.timeframe, ts: e.tsMs, line: e.line }, what).toEqual({ ...want, symbol: 'SOLUSDT', timeframe: '5m' });
  expect(e.message, `${what}: the message names the symbol and timeframe`).toContain('SOLUSDT 5m');
  expect(e.message, `${what}: the message names the line`).toContain(`line ${want.line}`);
  if (want.ts !== null) expect(e.message, `${what}: the message names the ts`).toContain(new Date(want.ts).toISOString());
  return e;
}

describe('parseCandleCsv', () => {
  it('parses the shared file format into columns', () => {
    const s = parseCandleCsv(csv(ROW1, ROW2, ROW3), OPTS);
    expect({ symbol: s.symbol, timeframe: s.timeframe, stepMs: s.stepMs }).toEqual(OPTS);
    expect(Array.from(s.tsMs)).toEqual([T0, T0 + M5, T0 + 2 * M5]);
    expect(Array.from(s.open)).toEqual([100, 100.5, 101]);
    expect(Array.from(s.high)).toEqual([101, 102, 101.5]);
    expect(Array.from(s.low)).toEqual([99, 100, 100.5]);
    expect(Array.from(s.close)).toEqual([100.5, 101, 101]);
    expect(Array.from(s.volume)).toEqual([10, 12, 0]);
  });

  it('accepts Z and T ISO times, epoch milliseconds, CRLF, a BOM, any column order and trailing blank lines', () => {
    const text = '\uFEFFVolume,Close,Low,High,Open,Timestamp\r\n10,100.5,99,101,100,2025-04-03T17:05:00Z\r\n12,101,100,102,100.5,' + String(T0 + M5) + '\r\n\r\n\n';
    const s = parseCandleCsv(text, OPTS);
    expect(Array.from(s.tsMs)).toEqual([T0, T0 + M5]);
    expect(Array.from(s.close)).toEqual([100.5, 101]);
    expect(Array.from(s.volume)).toEqual([10, 12]);
  });

  it('refuses a gap, naming the first bar after it', () => {
    expectRefused('gap', csv(ROW1, ROW2, '2025-04-03 17:20:00+00:00,101,101.5,100.5,101,0'), { kind: 'gap', ts: T0 + 3 * M5, line: 4 });
  });

  it('refuses a duplicate ts', () => {
    expectRefused('duplicate', csv(ROW1, ROW2, '2025-04-03 17:10:00+00:00,101,101.5,100.5,101,0'), { kind: 'duplicate_ts', ts: T0 + M5, line: 4 });
  });

  it('refuses an out-of-order ts', () => {
    expectRefused('out of order', csv(ROW1, ROW2, '2025-04-03 17:00:00+00:00,101,101.5,100.5,101,0'), { kind: 'out_of_order_ts', ts: T0 - M5, line: 4 });
  });

  it('refuses a ts that is not on the step grid', () => {
    expectRefused('off-grid', csv(ROW1, '2025-04-03 17:11:00+00:00,100.5,102,100,101,12'), { kind: 'invalid_bar', ts: T0 + 6 * 60_000, line: 3 });
  });

  it('refuses invalid bars', () => {
    const bad: [string, string][] = [
      ['low above min(open, close)', '2025-04-03 17:10:00+00:00,100.5,102,100.6,101,12'],
      ['low above the close', '2025-04-03 17:10:00+00:00,101,102,100.6,100.5,12'],
      ['high below max(open, close)', '2025-04-03 17:10:00+00:00,100.5,100.9,100,101,12'],
      ['high below the open', '2025-04-03 17:10:00+00:00,101.5,101.2,100,101,12'],
      ['zero price', '2025-04-03 17:10:00+00:00,0,102,0,101,12'],
      ['negative price', '2025-04-03 17:10:00+00:00,-1,102,-2,101,12'],
      ['negative volume', '2025-04-03 17:10:00+00:00,100.5,102,100,101,-1'],
    ];
    for (const [what, row] of bad) {
      const e = expectRefused(what, csv(ROW1, row, ROW3), { kind: 'invalid_bar', ts: T0 + M5, line: 3 });
      expect(e.message, what).toContain('invalid bar');
    }
  });

  it('refuses a bad number, naming its column', () => {
    const bad: [string, string, string][] = [
      ['a word', '2025-04-03 17:10:00+00:00,100.5,102,100,abc,12', 'close'],
      ['an empty cell', '2025-04-03 17:10:00+00:00,100.5,,100,101,12', 'high'],
      ['a missing cell', '2025-04-03 17:10:00+00:00,100.5,102,100,101', 'volume'],
      ['hex', '2025-04-03 17:10:00+00:00,0x10,102,100,101,12', 'open'],
      ['NaN', '2025-04-03 17:10:00+00:00,100.5,102,NaN,101,12', 'low'],
      ['Infinity', '2025-04-03 17:10:00+00:00,100.5,Infinity,100,101,12', 'high'],
      ['an overflow', '2025-04-03 17:10:00+00:00,100.5,1e400,100,101,12', 'high'],
    ];
    for (const [what, row, column] of bad) {
      const e = expectRefused(what, csv(ROW1, row, ROW3), { kind: 'bad_number', ts: T0 + M5, line: 3 });
      expect(e.message, what).toContain(column);
    }
  });

  it('refuses a bad timestamp, naming the line (there is no ts to name)', () => {
    for (const ts of ['2025-04-03 17:10:00', 'yesterday', '']) {
      expectRefused(`timestamp ${JSON.stringify(ts)}`, csv(ROW1, `${ts},100.5,102,100,101,12`), { kind: 'bad_number', ts: null, line: 3 });
    }
  });

  it('refuses a missing column, naming it, at line 1', () => {
    const e = expectRefused('no volume', 'timestamp,open,high,low,close\n2025-04-03 17:05:00+00:00,100,101,99,100.5', { kind: 'missing_column', ts: null, line: 1 });
    expect(e.message).toContain('volume');
  });

  it('refuses a file without rows', () => {
    const e = dataError(HEADER + '\n');
    expect(e.kind).toBe('empty');
  });
});

describe('parseTimestamp', () => {
  it('reads ISO times with an explicit zone, and epoch milliseconds', () => {
    expect(parseTimestamp('2025-04-03 17:05:00+00:00')).toBe(T0);
    expect(parseTimestamp('2025-04-03T17:05:00Z')).toBe(T0);
    expect(parseTimestamp('2025-04-03T17:05:00.000Z')).toBe(T0);
    expect(parseTimestamp('2025-04-03T19:05:00+02:00'), 'an offset is applied').toBe(T0);
    expect(parseTimestamp(String(T0))).toBe(T0);
  });

  it('refuses times without a zone (they would be read as local time)', () => {
    expect(parseTimestamp('2025-04-03 17:05:00')).toBeNull();
    expect(parseTimestamp('2025-04-03')).toBeNull();
    expect(parseTimestamp('2025-13-03T17:05:00Z'), 'month 13').toBeNull();
  });
});
