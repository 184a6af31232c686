import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { candleStatus, createTestDatabase, openDb, readCandles, type Db, type TestDatabase } from '@mastertrade/db';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EMBEDDED_DATA_DIR } from '@mastertrade/market-data';
import { importCandleFiles } from '../src/index.js';

/** The shipped copy of shared/data/bybit-5m (gzipped), so the test needs nothing outside the repository. */
const EMBEDDED = EMBEDDED_DATA_DIR;
const HEADER = 'timestamp,open,high,low,close,volume';
const row = (minute: number, close = 100.5) => `2025-04-03 17:${String(minute).padStart(2, '0')}:00+00:00,100,101,99,${close},12.5`;

describe('importCandleFiles', () => {
  let tdb: TestDatabase;
  let db: Db;
  let dir: string;

  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = openDb({ url: tdb.url });
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });
  beforeEach(async () => {
    await db.pool.query('TRUNCATE candles');
    dir = mkdtempSync(join(tmpdir(), 'mt-import-'));
    return () => rmSync(dir, { recursive: true, force: true });
  });

  it('imports the embedded CSV files exactly, and a second import changes nothing', async () => {
    const first = await importCandleFiles(db, EMBEDDED);
    expect(first.failed).toEqual([]);
    expect(first.imported.map((f) => [f.symbol, f.timeframe, f.report.inserted])).toEqual([
      ['BNBUSDT', '5m', 25_920],
      ['BTCUSDT', '5m', 25_920],
      ['ETHUSDT', '5m', 25_920],
    ]);
    const btc = await readCandles(db, { symbol: 'BTCUSDT', timeframe: '5m' });
    const lines = gunzipSync(readFileSync(join(EMBEDDED, 'BTCUSDT_5m.csv.gz'))).toString('utf8').trim().split('\n');
    const [ts, o, h, l, c, v] = (lines[1] as string).split(',');
    expect([btc.tsMs[0], btc.open[0], btc.high[0], btc.low[0], btc.close[0], btc.volume[0]], 'first row read back as written').toEqual([
      Date.parse((ts as string).replace(' ', 'T')), Number(o), Number(h), Number(l), Number(c), Number(v),
    ]);
    const [lts, , , , lc] = (lines[lines.length - 1] as string).split(',');
    expect([btc.tsMs[25_919], btc.close[25_919]]).toEqual([Date.parse((lts as string).replace(' ', 'T')), Number(lc)]);

    const second = await importCandleFiles(db, EMBEDDED);
    expect(second.imported.map((f) => [f.report.inserted, f.report.unchanged, f.report.conflicting])).toEqual([
      [0, 25_920, 0],
      [0, 25_920, 0],
      [0, 25_920, 0],
    ]);
    expect((await candleStatus(db)).map((s) => s.count), 'no duplicates').toEqual([25_920, 25_920, 25_920]);
  });

  it('imports a single file and keeps stored values when a file disagrees', async () => {
    writeFileSync(join(dir, 'XUSDT_5m.csv'), [HEADER, row(5), row(10)].join('\n'));
    expect((await importCandleFiles(db, join(dir, 'XUSDT_5m.csv'))).imported[0]?.report.inserted).toBe(2);
    writeFileSync(join(dir, 'XUSDT_5m.csv'), [HEADER, row(5, 100.7), row(10), row(15)].join('\n'));
    const r = (await importCandleFiles(db, join(dir, 'XUSDT_5m.csv'))).imported[0]?.report;
    expect(r).toEqual({ inserted: 1, unchanged: 1, conflicting: 1, conflictSamples: [Date.UTC(2025, 3, 3, 17, 5)] });
    const s = await readCandles(db, { symbol: 'XUSDT', timeframe: '5m' });
    expect(s.close[0], 'the stored value is kept: nothing stored is lost').toBe(100.5);
  });

  const BAD: [string, string[], RegExp, number | null][] = [
    ['a number that is not one', [HEADER, row(5), '2025-04-03 17:10:00+00:00,100,abc,99,100,1'], /bad number in column high/, 3],
    ['an invalid bar (high below close)', [HEADER, row(5), '2025-04-03 17:10:00+00:00,100,100.2,99,100.5,1'], /invalid bar: high 100.2 below max/, 3],
    ['a duplicate timestamp', [HEADER, row(5), row(10), row(10)], /duplicate ts/, 4],
    ['timestamps out of order', [HEADER, row(10), row(5)], /out of order/, 3],
    ['a gap', [HEADER, row(5), row(20)], /gap: 2 bar\(s\) missing/, 3],
    ['a missing column', ['timestamp,open,high,low,close', '2025-04-03 17:05:00+00:00,1,2,0.5,1'], /missing column\(s\): volume/, 1],
    ['a timestamp that is not one', [HEADER, row(5), 'yesterday,100,101,99,100,1'], /bad timestamp/, 3],
    ['a misaligned timestamp', [HEADER, '2025-04-03 17:07:00+00:00,100,101,99,100.5,12.5'], /not aligned/, 2],
    ['no rows', [HEADER], /no candles/, null],
  ];

  it.each(BAD)('stores nothing from a file with %s and names file and line', async (_label, lines, message, line) => {
    writeFileSync(join(dir, 'BADUSDT_5m.csv'), lines.join('\n'));
    writeFileSync(join(dir, 'GOODUSDT_5m.csv'), [HEADER, row(5), row(10)].join('\n'));
    const r = await importCandleFiles(db, dir);
    expect(r.failed).toHaveLength(1);
    const f = r.failed[0];
    expect(f?.file).toBe(join(dir, 'BADUSDT_5m.csv'));
    expect(f?.error).toMatch(message);
    expect(f?.error, 'the message names the file').toContain('BADUSDT_5m.csv');
    expect(f?.line).toBe(line);
    if (line !== null) expect(f?.error).toContain(`(line ${line})`);
    expect((await candleStatus(db)).map((s) => s.symbol), 'nothing from the bad file; the good file still imports').toEqual(['GOODUSDT']);
  });

  it('refuses a file whose name is not SYMBOL_<step>.csv', async () => {
    writeFileSync(join(dir, 'GOODUSDT_5m.csv'), [HEADER, row(5)].join('\n'));
    writeFileSync(join(dir, 'candles.csv'), [HEADER, row(5)].join('\n'));
    await expect(importCandleFiles(db, join(dir, 'candles.csv'))).rejects.toThrow(/SYMBOL_<step>\.csv/);
  });

  it('two imports of the same files in parallel store each bar once', async () => {
    mkdirSync(join(dir, 'a'));
    const lines = [HEADER, ...Array.from({ length: 11 }, (_, i) => row(5 + i * 5))];
    writeFileSync(join(dir, 'a', 'PARUSDT_5m.csv'), lines.join('\n'));
    const [a, b, c] = await Promise.all([importCandleFiles(db, join(dir, 'a')), importCandleFiles(db, join(dir, 'a')), importCandleFiles(db, EMBEDDED)]);
    const inserted = [a, b].map((r) => r.imported[0]?.report.inserted ?? 0);
    expect(inserted.sort(), 'one import stored the bars, the other found them stored').toEqual([0, 11]);
    expect(c.failed).toEqual([]);
    const [again] = await Promise.all([importCandleFiles(db, EMBEDDED), importCandleFiles(db, EMBEDDED)]);
    expect(again.imported.every((f) => f.report.inserted === 0)).toBe(true);
    expect((await candleStatus(db)).map((s) => [s.symbol, s.count])).toEqual([
      ['BNBUSDT', 25_920],
      ['BTCUSDT', 25_920],
      ['ETHUSDT', 25_920],
      ['PARUSDT', 11],
    ]);
  });
});
