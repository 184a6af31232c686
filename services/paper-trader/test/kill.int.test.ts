import { randomUUID } from 'node:crypto';
import { createTestDatabase, openDb, readParityLedger, type Db, type TestDatabase } from '@mastertrade/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_END_MS, expectPaperEqualsBacktest, loadDoc, promote, PROMOTED_MS, seedEmbedded, STRATEGY_FILES, type Agreement } from './helpers.js';
import { TraderProcess } from './process.js';

describe('the paper trader process in replay mode, killed with SIGKILL mid-replay', () => {
  let tdb: TestDatabase;
  let db: Db;
  const docs = STRATEGY_FILES.map(loadDoc);
  const ids: string[] = [];
  const running: TraderProcess[] = [];

  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = openDb({ url: tdb.url });
    await seedEmbedded(db);
    for (const doc of docs) ids.push(await promote(db, doc));
  }, 120_000);
  afterAll(async () => {
    for (const p of running) p.kill('SIGKILL');
    await db?.close();
    await tdb?.drop();
  });

  it('loses and doubles nothing: after restarts it ends where an uninterrupted replay ends, equal to the backtest to the cent', async () => {
    const env = {
      DATABASE_URL: tdb.url,
      QUEUE_PREFIX: `test-${randomUUID()}`,
      METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      PAPER_REPLAY: '1',
      PAPER_REPLAY_FROM: new Date(PROMOTED_MS).toISOString(),
      PAPER_REPLAY_STEP: '6h',
      PAPER_REPLAY_TICK_MS: '0',
      PAPER_DAYS: '1000',
      PAPER_MAX_DAYS: '1000',
    };
    const start = () => {
      const p = TraderProcess.start(env);
      running.push(p);
      return p;
    };
    // Two kills, each right after a tick was logged: the next tick is then reading or writing.
    const resumedAt: string[] = [];
    for (const ticks of [25, 20]) {
      const p = start();
      resumedAt.push(String((await p.waitFor('replay starting')).resumeAt));
      await p.waitFor('replay tick', ticks);
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 40)));
      p.kill('SIGKILL');
      expect((await p.exited).signal).toBe('SIGKILL');
    }
    const last = start();
    resumedAt.push(String((await last.waitFor('replay starting')).resumeAt));
    await last.waitFor('replay finished');
    last.kill('SIGTERM');
    expect(await last.exited, 'SIGTERM: a clean exit').toEqual({ code: 0, signal: null });
    expect(Date.parse(resumedAt[1] as string), 'the second process resumed where the first stopped, not from the start').toBeGreaterThan(PROMOTED_MS);
    expect(Date.parse(resumedAt[2] as string)).toBeGreaterThan(Date.parse(resumedAt[1] as string));

    const agreement: Record<string, Agreement> = {};
    for (const [i, doc] of docs.entries()) {
      agreement[doc.name] = await expectPaperEqualsBacktest(db, ids[i] as string, doc, DATA_END_MS);
      const ledger = await readParityLedger(db.pool, ids[i] as string);
      expect(ledger.length, `${doc.name}: every complete day in the parity ledger once`).toBe(29);
      expect(ledger.filter((r) => r.drift)).toEqual([]);
    }
    console.log('[paper kill -9] resumed at', resumedAt.join(' -> '), 'equality after restarts:', JSON.stringify(agreement));
  }, 600_000);
});
