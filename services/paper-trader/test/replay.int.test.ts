import { timeframeMs } from '@mastertrade/core';
import { createTestDatabase, getPaperAccount, openDb, paperSummary, readParityLedger, type Db, type TestDatabase } from '@mastertrade/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CandleFeed } from '../src/candle-feed.js';
import { DEFAULT_RULES, type PaperRules } from '../src/env.js';
import { runParityLedger } from '../src/parity.js';
import { paperStep, type PaperDeps, type PaperStepReport } from '../src/paper-step.js';
import { DATA_END_MS, DAY, expectPaperEqualsBacktest, loadDoc, promote, PROMOTED_MS, seedEmbedded, STRATEGY_FILES, type Agreement } from './helpers.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** Replays [PROMOTED_MS, DATA_END_MS] in steps, the way main.ts does, calling `after` after each tick. */
async function replay(deps: PaperDeps, stepMs: number, after?: (nowMs: number, r: PaperStepReport) => Promise<void>): Promise<void> {
  for (let now = PROMOTED_MS; ; now = Math.min(now + stepMs, DATA_END_MS)) {
    const r = await paperStep(deps, { nowMs: now });
    await runParityLedger(deps, { nowMs: now });
    await after?.(now, r);
    if (now >= DATA_END_MS) break;
  }
}

describe('paper trading in replay on the embedded data (promoted at day 60, the last 30 days replayed)', () => {
  let tdb: TestDatabase;
  let db: Db;
  const docs = STRATEGY_FILES.map(loadDoc);
  let ids: string[] = [];
  const deps = (rules: Partial<PaperRules>): PaperDeps => ({ db, log: quiet, feed: new CandleFeed(db, '5m'), rules: { ...DEFAULT_RULES, ...rules } });

  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = openDb({ url: tdb.url });
    await seedEmbedded(db);
    ids = [];
    for (const doc of docs) ids.push(await promote(db, doc));
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  const reset = async () => {
    await db.pool.query('DELETE FROM paper_accounts');
    await db.pool.query(`UPDATE strategies SET status = 'paper_trading', status_reason = NULL`);
  };

  it('paper equity and trades equal a backtest over the same bars, to the cent, at every point of the replay', async () => {
    const d = deps({ paperDays: 1000, maxPaperDays: 1000 });
    const checked: Record<string, Agreement> = {};
    let ticks = 0;
    await replay(d, DAY, async (now) => {
      ticks++;
      // Mid-replay (with positions open somewhere) and at the end.
      if (ticks === 12 || now >= DATA_END_MS) {
        for (const [i, doc] of docs.entries()) checked[doc.name] = await expectPaperEqualsBacktest(db, ids[i] as string, doc, now);
      }
    });
    for (const [i, doc] of docs.entries()) {
      const a = await getPaperAccount(db.pool, ids[i] as string);
      const step = timeframeMs(doc.timeframe);
      expect([a?.promotedMs, a?.startMs], `${doc.name}: promoted at the replay start, first paper bar right then`).toEqual([PROMOTED_MS, PROMOTED_MS]);
      expect(a?.anchorMs, `${doc.name}: warm-up anchor ${DEFAULT_RULES.warmupBars} bars before the start`).toBe(PROMOTED_MS - DEFAULT_RULES.warmupBars * step);
      expect(a?.status).toBe('paper_trading');
    }
    const total = Object.values(checked);
    expect(total.reduce((s, c) => s + c.trades, 0), 'the replay traded').toBeGreaterThan(30);
    console.log('[paper replay] equality with the backtest at the end of the replay:', JSON.stringify(checked));

    // The ledger checked every complete paper day and found nothing.
    for (const id of ids) {
      const ledger = await readParityLedger(db.pool, id);
      expect(ledger.length, 'one ledger row per complete day (Jun 3 .. Jul 1)').toBe(29);
      expect(ledger.filter((r) => r.drift)).toEqual([]);
      const s = await paperSummary(db.pool, id, { maxPoints: 50 });
      expect(s?.parity.status).toBe('ok');
      expect(s?.equityPoints.length).toBeLessThanOrEqual(51);
      expect(s?.equityPoints.at(-1)?.[1], 'summary ends at the latest equity').toBe(s?.equity);
      const viaPrisma = await db.prisma.paperAccount.findUniqueOrThrow({
        where: { strategyId: id },
        include: { strategy: true, paperTrades: { take: 1 }, equityPoints: { take: 1 }, parity: { take: 1 } },
      });
      expect([viaPrisma.bars, viaPrisma.equity, viaPrisma.parity.length], 'the Prisma models read the same tables').toEqual([s?.bars, s?.equity, 1]);
    }
  }, 300_000);

  it('running a tick again, or with a finer clock, changes nothing (nothing counted twice)', async () => {
    const before = await db.pool.query(`SELECT strategy_id, count(*)::int AS n, sum(pnl) AS pnl FROM paper_trades GROUP BY strategy_id ORDER BY strategy_id`);
    const eq = await db.pool.query(`SELECT count(*)::int AS n, sum(equity) AS s FROM paper_equity`);
    const d = deps({ paperDays: 1000, maxPaperDays: 1000 });
    const r = await paperStep(d, { nowMs: DATA_END_MS });
    expect([r.processed, r.tradesInserted]).toEqual([0, 0]);
    expect((await db.pool.query(`SELECT strategy_id, count(*)::int AS n, sum(pnl) AS pnl FROM paper_trades GROUP BY strategy_id ORDER BY strategy_id`)).rows).toEqual(before.rows);
    expect((await db.pool.query(`SELECT count(*)::int AS n, sum(equity) AS s FROM paper_equity`)).rows).toEqual(eq.rows);

    // The same 30 days in 5-hour steps from scratch give the same trades and equity.
    await reset();
    await replay(d, 5 * 3_600_000);
    for (const [i, doc] of docs.entries()) await expectPaperEqualsBacktest(db, ids[i] as string, doc, DATA_END_MS);
  }, 300_000);

  it('a write that dies half-way leaves nothing behind, and the next tick makes it whole', async () => {
    await reset();
    let failures = 0;
    const failAt = new Set([4, 9, 15]);
    let tick = 0;
    // The pool hands out clients whose paper_equity INSERT fails on some ticks: the trades of that
    // transaction are already inserted when it dies.
    const flaky: Db = {
      ...db,
      pool: new Proxy(db.pool, {
        get(target, key) {
          if (key === 'connect') {
            return async () => {
              const client = await target.connect();
              return new Proxy(client, {
                get(c, k) {
                  if (k === 'query') {
                    return (q: string | { text: string }, ...rest: unknown[]) => {
                      const text = typeof q === 'string' ? q : q.text;
                      if (failAt.has(tick) && text.includes('INSERT INTO paper_equity')) {
                        failures++;
                        return Promise.reject(new Error('connection lost mid-write'));
                      }
                      return (c.query as (...a: unknown[]) => unknown)(q, ...rest);
                    };
                  }
                  const v = Reflect.get(c, k) as unknown;
                  return typeof v === 'function' ? v.bind(c) : v;
                },
              });
            };
          }
          const v = Reflect.get(target, key) as unknown;
          return typeof v === 'function' ? v.bind(target) : v;
        },
      }),
    };
    const d: PaperDeps = { ...deps({ paperDays: 1000, maxPaperDays: 1000 }), db: flaky };
    for (let now = PROMOTED_MS; ; now = Math.min(now + DAY, DATA_END_MS), tick++) {
      const before = await db.pool.query(`SELECT count(*)::int AS n FROM paper_trades`);
      if (failAt.has(tick)) {
        await expect(paperStep(d, { nowMs: now })).rejects.toThrow('connection lost mid-write');
        const after = await db.pool.query(`SELECT count(*)::int AS n FROM paper_trades`);
        expect(after.rows[0].n, 'the failed transactions stored no trade').toBe(before.rows[0].n);
      } else {
        await paperStep(d, { nowMs: now });
      }
      if (now >= DATA_END_MS) break;
    }
    expect(failures, 'every account failed on those ticks').toBe(failAt.size * docs.length);
    for (const [i, doc] of docs.entries()) await expectPaperEqualsBacktest(db, ids[i] as string, doc, DATA_END_MS);
    const ledger = await runParityLedger(deps({}), { nowMs: DATA_END_MS });
    expect([ledger.days, ledger.drifted], 'and the ledger agrees with every day').toEqual([29 * docs.length, []]);
  }, 300_000);

  it('the parity ledger demotes a strategy whose stored paper trade disagrees with the backtest', async () => {
    const id = ids[0] as string;
    const t = await db.pool.query<{ day: string }>(
      `UPDATE paper_trades SET exit_price = exit_price * 1.001 WHERE (strategy_id, symbol, entry_ts) =
         (SELECT strategy_id, symbol, entry_ts FROM paper_trades WHERE strategy_id = $1 ORDER BY exit_ts LIMIT 1 OFFSET 3)
       RETURNING to_char(exit_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day`,
      [id],
    );
    const day = t.rows[0]?.day as string;
    await db.pool.query(`DELETE FROM parity_ledger WHERE strategy_id = $1 AND day = $2::date`, [id, day]);
    const r = await runParityLedger(deps({}), { nowMs: DATA_END_MS });
    expect(r.days).toBe(1);
    const row = (await readParityLedger(db.pool, id)).find((x) => x.day === day);
    expect([row?.drift, row?.missed, row?.extra, row?.priceDiffs]).toEqual([true, 0, 0, 1]);
    const s = await db.pool.query(`SELECT status, status_reason FROM strategies WHERE id = $1`, [id]);
    expect(s.rows[0].status).toBe('retired');
    expect(s.rows[0].status_reason).toMatch(new RegExp(`^parity drift: ${day}: missed 0, extra 0, price diffs 1, max abs diff`));
    expect((await paperSummary(db.pool, id))?.parity.status).toBe('drift');
  }, 120_000);

  it('judges after PAPER_DAYS: live candidates within LIVE_MAX best first, the rest wait until PAPER_MAX_DAYS', async () => {
    await reset();
    const rules = { paperDays: 10, maxPaperDays: 20, minTrades: 3, liveMax: 1, sharpeTolerance: 1e9, returnTolerance: 1e9 };
    const d = deps(rules);
    const events: { now: number; live: string[]; retired: { strategyId: string; reason: string }[]; sharpe: Map<string, number | null> }[] = [];
    await replay(d, DAY, async (now, r) => {
      const live = await db.pool.query(`SELECT count(*)::int AS n FROM strategies WHERE status = 'live_candidate'`);
      expect(live.rows[0].n, 'never more than LIVE_MAX').toBeLessThanOrEqual(1);
      const acc = await db.pool.query<{ strategy_id: string; sharpe: number | null }>(`SELECT strategy_id, sharpe FROM paper_accounts`);
      if (r.liveCandidates.length || r.retired.length) events.push({ now, live: r.liveCandidates, retired: r.retired, sharpe: new Map(acc.rows.map((x) => [x.strategy_id, x.sharpe])) });
    });
    const first = events[0];
    expect(first?.now, 'the first verdict comes on day 10').toBe(PROMOTED_MS + 10 * DAY);
    expect(first?.live.length).toBe(1);
    const best = [...(first?.sharpe.entries() ?? [])].sort((x, y) => (y[1] ?? -Infinity) - (x[1] ?? -Infinity))[0]?.[0];
    expect(first?.live[0], 'the best paper Sharpe gets the slot').toBe(best);
    const retired = events.flatMap((e) => e.retired.map((x) => ({ ...x, now: e.now })));
    expect(retired.map((x) => x.strategyId).sort()).toEqual(ids.filter((id) => id !== best).sort());
    for (const x of retired) {
      expect(x.reason).toMatch(/^live candidate pool full \(LIVE_MAX=1\) until PAPER_MAX_DAYS; paper sharpe/);
      expect(x.now, 'retired on day 20').toBe(PROMOTED_MS + 20 * DAY);
    }
    const liveAcc = await getPaperAccount(db.pool, best as string);
    expect(liveAcc?.status, 'the live candidate is still paper traded to the end').toBe('live_candidate');
    const step = timeframeMs(docs[ids.indexOf(best as string)]?.timeframe ?? '5m');
    expect(liveAcc?.lastBarMs, 'its last complete bar').toBe(Math.floor(DATA_END_MS / step) * step - step);
    for (const id of ids.filter((x) => x !== best)) {
      const a = await getPaperAccount(db.pool, id);
      expect(a?.lastBarMs, 'a retired account stops where it was judged').toBeLessThan(PROMOTED_MS + 20 * DAY);
      expect(a?.closedAt).toBeInstanceOf(Date);
    }
    const st = await db.pool.query(`SELECT status, status_reason FROM strategies WHERE id = $1`, [best]);
    expect(st.rows[0]).toMatchObject({ status: 'live_candidate' });
    expect(st.rows[0].status_reason).toMatch(/^paper sharpe .* over 1\d\.\d days, \d+ trades$/);
  }, 300_000);

  it('retires the weakest beyond PAPER_MAX at once, and what degrades after PAPER_DAYS', async () => {
    await reset();
    await db.pool.query(`UPDATE backtest_results SET oos_sharpe = v.s FROM (VALUES ($1, 3.0::float8), ($2, 1.0), ($3, 2.0)) AS v(id, s) WHERE strategy_id = v.id`, ids);
    const d = deps({ paperDays: 10, maxPaperDays: 20, paperMax: 2, minTrades: 0, sharpeTolerance: -1e9 });
    const retired: { now: number; strategyId: string; reason: string }[] = [];
    await replay(d, DAY, async (now, r) => {
      retired.push(...r.retired.map((x) => ({ now, ...x })));
    });
    expect(retired[0], 'the lowest out-of-sample Sharpe leaves when the pool is over PAPER_MAX').toEqual({
      now: PROMOTED_MS,
      strategyId: ids[1],
      reason: 'paper pool full (PAPER_MAX=2): among the weakest (score 1.00)',
    });
    expect(retired.slice(1).map((x) => [x.now, x.strategyId]).sort()).toEqual([[PROMOTED_MS + 10 * DAY, ids[0]], [PROMOTED_MS + 10 * DAY, ids[2]]].sort());
    for (const x of retired.slice(1)) expect(x.reason).toMatch(/^paper degraded over 10\.0 days, \d+ trades: sharpe -?\d+\.\d\d < out-of-sample \d\.00 - -1000000000\.00/);
    for (const id of ids) expect((await db.pool.query(`SELECT status FROM strategies WHERE id = $1`, [id])).rows[0].status).toBe('retired');
  }, 300_000);
});
