import { candleStatus, createTestDatabase, openDb, readCandles, type Db, type TestDatabase } from '@mastertrade/db';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchCandles, InvalidResponseError, SourceRejectedError, SourceUnavailableError } from '../src/index.js';
import { BinanceStub, makeCandles } from './binance-stub.js';

const STEP = 300_000;
const T0 = Date.UTC(2026, 10, 1); // 2026-11-01
const BARS = 2_500;
/** "Now" is 2.5 bars after the last stub candle's open: the last one has closed, nothing newer exists. */
const NOW = T0 + BARS * STEP + STEP / 2;
const FAST_RETRY = { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 };

describe('ccxt provider against a local Binance kline server', () => {
  let tdb: TestDatabase;
  let db: Db;
  let stub: BinanceStub;

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
  });
  afterEach(async () => {
    await stub?.close();
  });

  const deps = (extra: { now?: number; retries?: { attempt: number }[] } = {}) => ({
    db,
    ccxt: { ...stub.ccxtOptions(), retry: FAST_RETRY, now: () => extra.now ?? NOW, onRetry: (i: { attempt: number }) => extra.retries?.push(i) },
  });
  const days = Math.ceil((NOW - T0) / 86_400_000);

  it('pages through the history, stores every closed bar once, and resumes from the last stored bar', async () => {
    stub = await BinanceStub.start(makeCandles(T0, BARS));
    const r = await fetchCandles({ exchange: 'binance', symbols: ['BTCUSDT'], timeframe: '5m', days }, deps());
    const s = r.symbols[0];
    expect(r.source).toBe('ccxt:binance');
    expect(s?.fetched, 'all 2,500 bars in three pages of 1,000').toBe(BARS);
    expect(s?.inserted).toBe(BARS);
    expect(s?.gaps).toEqual([]);
    const pages = stub.requests.filter((u) => u.pathname.endsWith('/klines'));
    const windowStart = Math.floor((NOW - days * 86_400_000) / STEP) * STEP;
    expect(windowStart, 'the window opens before the exchange\'s first bar').toBeLessThan(T0);
    expect(pages.map((u) => Number(u.searchParams.get('startTime'))), 'each page starts after the previous one').toEqual([windowStart, T0 + 1000 * STEP, T0 + 2000 * STEP]);
    const series = await readCandles(db, { symbol: 'BTCUSDT', timeframe: '5m' });
    expect(series.tsMs.length).toBe(BARS);
    expect(series.close[10]).toBeCloseTo(100 + Math.sin(11 / 10), 12);

    stub.requests.length = 0;
    const again = await fetchCandles({ exchange: 'binance', symbols: ['BTCUSDT'], timeframe: '5m', days }, deps({ now: NOW + 2 * STEP }));
    expect(Number(stub.requests[0]?.searchParams.get('startTime')), 'the second run starts after the last stored bar').toBe(T0 + BARS * STEP);
    expect(again.symbols[0]?.inserted, 'nothing new at the exchange: nothing stored').toBe(0);
  });

  it('drops the still-open last candle', async () => {
    stub = await BinanceStub.start(makeCandles(T0, 10));
    // "Now" is inside bar 9: bars 0..8 have closed, bar 9 has not.
    const r = await fetchCandles({ exchange: 'binance', symbols: ['BTCUSDT'], timeframe: '5m', days: 1 }, deps({ now: T0 + 9 * STEP + 1000 }));
    expect(r.symbols[0]?.fetched).toBe(9);
    expect(r.symbols[0]?.lastMs).toBe(T0 + 8 * STEP);
  });

  it('retries a 429 and a 502, then succeeds', async () => {
    stub = await BinanceStub.start(makeCandles(T0, 50));
    stub.script.push({ status: 429, body: '{"code":-1003,"msg":"Too many requests"}' }, { status: 502, body: 'Bad Gateway' });
    const retries: { attempt: number }[] = [];
    const r = await fetchCandles({ exchange: 'binance', symbols: ['BTCUSDT'], timeframe: '5m', days: 1 }, deps({ now: T0 + 50 * STEP, retries }));
    expect(retries.map((x) => x.attempt), 'two retries').toEqual([1, 2]);
    expect(r.symbols[0]?.inserted).toBe(50);
  });

  it('gives up after the last try on a server that keeps failing, keeping what it stored', async () => {
    stub = await BinanceStub.start(makeCandles(T0, 1500));
    // First page fine, then 5xx forever.
    const realHandle = stub.handle.bind(stub);
    let calls = 0;
    stub.handle = (req, res) => (++calls === 1 ? realHandle(req, res) : void res.writeHead(503).end('unavailable'));
    const err = await fetchCandles({ exchange: 'binance', symbols: ['BTCUSDT'], timeframe: '5m', days: 10 }, deps({ now: T0 + 1500 * STEP })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceUnavailableError);
    expect(String(err)).toMatch(/after 4 tries/);
    expect((await candleStatus(db))[0]?.count, 'the first page stays stored; a rerun resumes after it').toBe(1000);
  });

  it.each([
    ['a body that is not JSON', 'this is not json', /not JSON/],
    ['JSON of the wrong shape', '{"rows": []}', /unexpected response shape/],
    ['rows with missing fields', '[[1793491200000, "1", "2"]]', /unexpected response shape/],
    ['a price that is not a number', '[[1793491200000, "1", "abc", "0.5", "1", "3", 1793491499999]]', /unexpected response shape/],
  ])('fails fast on %s and stores nothing', async (_label, body, message) => {
    stub = await BinanceStub.start(makeCandles(T0, 10));
    stub.script.push({ status: 200, body });
    const retries: { attempt: number }[] = [];
    const err = await fetchCandles({ exchange: 'binance', symbols: ['BTCUSDT'], timeframe: '5m', days: 1 }, deps({ now: T0 + 10 * STEP, retries })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect(String(err)).toMatch(message);
    expect(retries, 'a malformed body is not retried').toEqual([]);
    expect(await candleStatus(db)).toEqual([]);
  });

  it('refuses an invalid bar, naming it', async () => {
    const candles = makeCandles(T0, 10);
    (candles[3] as { high: number }).high = 1; // below open and close
    stub = await BinanceStub.start(candles);
    const err = await fetchCandles({ exchange: 'binance', symbols: ['BTCUSDT'], timeframe: '5m', days: 1 }, deps({ now: T0 + 10 * STEP })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidResponseError);
    expect(String(err)).toContain(new Date(T0 + 3 * STEP).toISOString());
  });

  it('fails fast on an unknown symbol (400), without retries', async () => {
    stub = await BinanceStub.start(makeCandles(T0, 10));
    const opts = stub.ccxtOptions();
    opts.markets.push({ id: 'XRPUSDT', symbol: 'XRP/USDT', base: 'XRP', quote: 'USDT', spot: true, type: 'spot' });
    const retries: { attempt: number }[] = [];
    const err = await fetchCandles(
      { exchange: 'binance', symbols: ['XRPUSDT'], timeframe: '5m', days: 1 },
      { db, ccxt: { ...opts, retry: FAST_RETRY, now: () => T0 + 10 * STEP, onRetry: (i) => retries.push(i) } },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceRejectedError);
    expect(String(err)).toMatch(/Invalid symbol/);
    expect(retries).toEqual([]);
  });

  it('reports a gap in the exchange data instead of papering over it', async () => {
    stub = await BinanceStub.start(makeCandles(T0, 100, (i) => i >= 40 && i < 43));
    const r = await fetchCandles({ exchange: 'binance', symbols: ['BTCUSDT'], timeframe: '5m', days: 1 }, deps({ now: T0 + 100 * STEP }));
    expect(r.gaps).toBe(1);
    expect(r.symbols[0]?.gaps).toEqual([{ symbol: 'BTCUSDT', afterMs: T0 + 39 * STEP, beforeMs: T0 + 43 * STEP, missingBars: 3 }]);
    const [status] = await candleStatus(db);
    expect(status, 'status shows the hole too').toMatchObject({ count: 97, gaps: 1, missingBars: 3 });
  });

  it('fails within seconds when the exchange cannot be reached, keeping what is stored', async () => {
    stub = await BinanceStub.start([]);
    const offline = { db, ccxt: { ...stub.ccxtOptions(), now: () => NOW } };
    await stub.close(); // nothing listens on its port any more
    const t = Date.now();
    const err = await fetchCandles({ exchange: 'binance', symbols: ['BTCUSDT'], timeframe: '5m', days: 1 }, offline).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceUnavailableError);
    expect(String(err)).toMatch(/binance unreachable for klines BTCUSDT .* after 4 tries/);
    expect(Date.now() - t, 'the default retry policy gives up within seconds').toBeLessThan(8_000);
  });
  it('gives up after one try when the exchange host name does not resolve (offline), naming the host error', async () => {
    stub = await BinanceStub.start([]);
    const base = stub.ccxtOptions();
    const retries: unknown[] = [];
    // `.invalid` never resolves (RFC 2606).
    const offline = { db, ccxt: { ...base, exchangeOptions: { urls: { api: { public: 'http://mastertrade-no-such-host.invalid/api/v3' } } }, now: () => NOW, onRetry: (i: unknown) => retries.push(i) } };
    const err = await fetchCandles({ exchange: 'binance', symbols: ['BTCUSDT'], timeframe: '5m', days: 1 }, offline).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceUnavailableError);
    expect(String(err)).toMatch(/binance unreachable for klines BTCUSDT .* after 1 tries: .*ENOTFOUND/);
    expect(retries, 'no retry: a name that does not resolve will not resolve in a second').toEqual([]);
  });
});
