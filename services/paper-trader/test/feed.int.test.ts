import { sliceSeries, type CandleSeries } from '@mastertrade/core';
import { createTestDatabase, openDb, saveCandles, type Db, type TestDatabase } from '@mastertrade/db';
import { EMBEDDED_SYMBOLS, openCandleDirectory } from '@mastertrade/market-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CandleFeed } from '../src/candle-feed.js';
import { DEFAULT_RULES } from '../src/env.js';
import { runParityLedger } from '../src/parity.js';
import { paperStep, type PaperDeps } from '../src/paper-step.js';
import { DAY, expectPaperEqualsBacktest, loadDoc, promote, PROMOTED_MS, STRATEGY_FILES } from './helpers.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const HOUR = 3_600_000;

describe('candles arriving while the paper trader runs (late, out of step between symbols, with a hole filled later)', () => {
  let tdb: TestDatabase;
  let db: Db;
  const dir = openCandleDirectory('embedded');
  const base = new Map<string, CandleSeries>(EMBEDDED_SYMBOLS.map((s) => [s, dir.series(s, '5m')]));
  /** Stores a symbol's bars with open time in [fromMs, toMs). */
  const store = async (symbol: string, fromMs: number, toMs: number) => {
    const s = base.get(symbol) as CandleSeries;
    const i = s.tsMs.findIndex((t) => t >= fromMs);
    let j = s.tsMs.findIndex((t) => t >= toMs);
    if (j < 0) j = s.tsMs.length;
    if (i >= 0 && j > i) await saveCandles(db, sliceSeries(s, i, j));
  };

  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = openDb({ url: tdb.url });
    for (const s of EMBEDDED_SYMBOLS) await store(s, 0, PROMOTED_MS);
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('waits for what is missing and ends equal to the backtest of the bars finally stored', async () => {
    const doc = loadDoc(STRATEGY_FILES[0] as string); // 1h, BTC + ETH + BNB
    const id = await promote(db, doc);
    const deps: PaperDeps = { db, log: quiet, feed: new CandleFeed(db, '5m'), rules: { ...DEFAULT_RULES, paperDays: 1000, maxPaperDays: 1000 } };
    const end = PROMOTED_MS + 8 * DAY;
    const hole = PROMOTED_MS + 2 * DAY + 7 * HOUR + 35 * 60_000; // one BNB bar held back for a while
    let dataErrors = 0;
    let tick = 0;
    let heldAt: number | null = null;
    // Promoted now: the account opens with nothing after the promotion stored yet.
    expect((await paperStep(deps, { nowMs: PROMOTED_MS })).opened).toBe(1);
    let stored = { BTCUSDT: PROMOTED_MS, ETHUSDT: PROMOTED_MS, BNBUSDT: PROMOTED_MS };
    for (let now = PROMOTED_MS + 6 * HOUR; now <= end; now += 6 * HOUR) {
      // BTC arrives on time, ETH one tick late, BNB on time but without the held-back bar until a day later.
      const next = { BTCUSDT: now, ETHUSDT: now - 6 * HOUR, BNBUSDT: now };
      for (const [s, to] of Object.entries(next) as [keyof typeof stored, number][]) {
        if (s === 'BNBUSDT' && stored.BNBUSDT <= hole && to > hole) {
          await store(s, stored[s], hole);
          await store(s, hole + 300_000, to);
          heldAt = tick;
        } else {
          await store(s, stored[s], to);
        }
      }
      if (heldAt !== null && tick === heldAt + 4) await store('BNBUSDT', hole, hole + 300_000);
      stored = next;
      tick++;
      // The trader's clock runs ahead of the data: it sees every stored candle.
      const r = await paperStep(deps, { nowMs: now + DAY });
      dataErrors += r.dataErrors;
    }
    expect(dataErrors, 'the hole was reported as a data error while it lasted').toBeGreaterThan(0);
    const a = await expectPaperEqualsBacktest(db, id, doc, end + DAY);
    expect(a.bars, 'every 1h bar up to the last one ETH has: 8 days - 6 hours').toBe(8 * 24 - 6);
    expect((await runParityLedger(deps, { nowMs: end + DAY })).drifted).toEqual([]);
  }, 300_000);
});
