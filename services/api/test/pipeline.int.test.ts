import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@mastertrade/db';
import { QUEUES, QueueClient } from '@mastertrade/queue';
import { API_KEY, LOOSE_FILTERS, REDIS_URL } from './helpers.js';
import { eventually, freePort, ROOT, Service } from './processes.js';

const EXAMPLE = JSON.parse(readFileSync(`${ROOT}examples/01_rsi-dip-1h.json`, 'utf8')) as Record<string, unknown>;
const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const COUNT = 20;

/**
 * The whole path a user takes: the API (built, as its own process) enqueues; the generator,
 * learner and a backtest worker (their own processes) do the work on real Redis and
 * PostgreSQL; the results come back through the API and the leaderboard page in Chromium.
 */
describe('the API with the real services', () => {
  let tdb: TestDatabase;
  const prefix = `test-${randomUUID()}`;
  const services: Service[] = [];
  let api: Service;
  let base = '';
  let cycleId = '';

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'x-api-key': API_KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, text, json: text.startsWith('{') ? JSON.parse(text) : null };
  };

  beforeAll(async () => {
    tdb = await createTestDatabase();
    const env = {
      DATABASE_URL: tdb.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'info',
      METRICS_PORT: '0',
      SHUTDOWN_TIMEOUT_MS: '10000',
      DATA_SOURCE: 'embedded',
      CYCLE_BATCH_SIZE: '5',
      FILTER_MIN_SHARPE: String(LOOSE_FILTERS.minSharpe),
      FILTER_MIN_WIN_RATE: String(LOOSE_FILTERS.minWinRate),
      FILTER_MIN_RETURN: String(LOOSE_FILTERS.minReturn),
      FILTER_MAX_RETURN: String(LOOSE_FILTERS.maxReturn),
      FILTER_MIN_TRADES: String(LOOSE_FILTERS.minTrades),
    };
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const started = await Promise.all([
      Service.start('generator', env),
      Service.start('learner', env),
      Service.start('backtest-worker', env),
      Service.start('api', { ...env, API_PORT: String(port), API_KEY, API_SNAPSHOT_TTL_MS: '0' }),
    ]);
    services.push(...started);
    api = started[3] as Service;
  }, 90_000);

  afterAll(async () => {
    await Promise.allSettled(services.map((s) => s.stop()));
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const queues = new QueueClient(redis, prefix);
      await Promise.allSettled(Object.values(QUEUES).map((q) => queues.queue(q).obliterate({ force: true })));
      await queues.close();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
    await tdb?.drop();
  }, 60_000);

  it('POST /api/strategies/generate runs to completion and the cycle is visible through the API', { timeout: 150_000 }, async () => {
    const r = await call('POST', '/api/strategies/generate', { count: COUNT, seed: 'api-e2e' });
    expect(r.status, r.text).toBe(202);
    cycleId = r.json.cycleId;
    let sawRunning = false;
    const cycle = await eventually(
      async () => {
        const status = (await call('GET', '/api/strategies/pipeline/status')).json;
        if (status?.currentCycle?.id === cycleId && status.isRunning) {
          sawRunning = true;
          expect(status.currentCycle.progress.total).toBeGreaterThan(0);
        }
        const c = await call('GET', `/api/cycles/${cycleId}`);
        if (c.status === 200 && c.json.state === 'failed') throw new Error(`cycle failed: ${c.text}`);
        return c.status === 200 && ['completed', 'partial'].includes(c.json.state) ? c.json : undefined;
      },
      { timeoutMs: 120_000, what: `cycle ${cycleId} to finish`, intervalMs: 200 },
    );
    expect(sawRunning, 'the status route showed the cycle while it ran').toBe(true);
    expect(cycle).toMatchObject({ id: cycleId, trigger: 'api', state: 'completed', generated: COUNT, backtested: COUNT, failed: 0 });
    expect(cycle.progress).toMatchObject({ total: COUNT, done: COUNT, percent: 100 });

    const list = (await call('GET', `/api/strategies?cycle=${cycleId}&limit=50`)).json;
    expect(list.items).toHaveLength(COUNT);
    expect(list.items.filter((s: { sharpe: number | null }) => s.sharpe !== null).length, 'results came back').toBeGreaterThan(0);

    const status = (await call('GET', '/api/strategies/pipeline/status')).json;
    expect(status).toMatchObject({ isRunning: false, currentCycle: null, lastCycle: { id: cycleId, state: 'completed' } });
    expect(status.learningStats.totalBacktestsAnalyzed).toBe(COUNT);
    expect(status.workers).toMatchObject({ cycle: 1, backtest: 1, learner: 1 });

    const learned = (await call('GET', '/api/strategies/learning/stats')).json;
    expect(learned.latest.cycleId).toBe(cycleId);

    // Honest selection is visible: the cycle's trials and PBO, each strategy's in-sample vs out-of-sample.
    expect(cycle.selection, 'the cycle reports its selection').toMatchObject({ trials: COUNT });
    expect(cycle.selection).toHaveProperty('pbo');
    const best = list.items.find((s: { sharpe: number | null }) => s.sharpe !== null) as { id: string };
    const detail = (await call('GET', `/api/strategies/${best.id}`)).json;
    expect(detail.comparison.inSample, 'in-sample metrics').toMatchObject({ trades: expect.any(Number) });
    expect(detail.comparison.outOfSample, 'out-of-sample metrics next to them').toMatchObject({ trades: expect.any(Number) });
    expect(detail.results[0].validation).toMatchObject({ splitTs: expect.any(String), outOfSamplePassed: expect.any(Boolean) });

    // Job metrics arrive through the queues' event streams: every batch of 5, completed once.
    const batches = COUNT / 5;
    const metric = await eventually(
      async () => {
        const text = (await call('GET', '/metrics')).text;
        const line = text.split('\n').find((l) => l.startsWith('mt_queue_jobs_finished_total{') && l.includes('queue="backtest"') && l.includes('job="backtest.run"') && l.includes('outcome="completed"'));
        return line && Number(line.split(' ').at(-1)) === batches ? text : undefined;
      },
      { timeoutMs: 10_000, what: `${batches} completed backtest jobs in /metrics` },
    );
    expect(metric).toMatch(/mt_queue_job_duration_seconds_count\{[^}]*queue="learner"[^}]*\} 1/);
    expect(metric).toMatch(/mt_queue_workers\{[^}]*queue="backtest"[^}]*\} 1/);
  });

  it('POST /api/backtests runs a user document on the backtest worker', { timeout: 90_000 }, async () => {
    const r = await call('POST', '/api/backtests', { strategy: EXAMPLE, days: 30 });
    expect(r.status, r.text).toBe(202);
    const done = await eventually(
      async () => {
        const s = (await call('GET', r.json.statusUrl)).json;
        if (s.state === 'failed') throw new Error(`user backtest failed: ${JSON.stringify(s)}`);
        return s.state === 'done' ? s : undefined;
      },
      { timeoutMs: 60_000, what: 'the user backtest' },
    );
    expect(done.result.trades).toBeGreaterThan(0);
    const detail = (await call('GET', r.json.strategyUrl)).json;
    expect(detail.strategy).toMatchObject({ origin: 'user', status: 'backtested' });
    expect(detail.trades.total).toBe(done.result.trades);
    expect(detail.equityCurve.points).toBeGreaterThan(1);
  });

  it('the leaderboard page shows the cycle’s strategies and draws the equity curve (headless Chromium)', { timeout: 90_000 }, async () => {
    expect(cycleId, 'the generate test ran first').not.toBe('');
    const expected = (await call('GET', `/api/strategies?cycle=${cycleId}&limit=25`)).json.items as { id: string; name: string }[];
    const profile = mkdtempSync(join(tmpdir(), 'mt-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 1000 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') pageErrors.push(m.text());
      });
      await page.goto(`${base}/?cycle=${encodeURIComponent(cycleId)}`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
      const names = await page.locator('#strategies tbody tr td:nth-child(2)').allTextContents();
      expect(names, 'the table lists the cycle’s strategies, best first').toEqual(expected.map((s) => s.name));
      expect(await page.locator('#cycle-select').inputValue()).toBe(cycleId);

      await page.locator('#strategies tbody tr').first().click();
      await page.waitForSelector('#equity[data-points] canvas', { timeout: 15_000 });
      expect(await page.locator('#detail-name').textContent()).toBe(expected[0]?.name);
      const chart = await page.evaluate(() => {
        const el = document.querySelector<HTMLElement>('#equity');
        const canvas = el?.querySelector('canvas');
        const g = canvas?.getContext('2d');
        if (!el || !canvas || !g) return null;
        const px = g.getImageData(0, 0, canvas.width, canvas.height).data;
        let line = 0;
        // The series stroke is #2f6fde; count pixels of that colour (anti-aliasing allowed for).
        for (let i = 0; i < px.length; i += 4) {
          if (Math.abs((px[i] ?? 0) - 47) < 40 && Math.abs((px[i + 1] ?? 0) - 111) < 40 && Math.abs((px[i + 2] ?? 0) - 222) < 40 && (px[i + 3] ?? 0) > 128) line++;
        }
        return { points: Number(el.dataset.points), width: canvas.width, height: canvas.height, line };
      });
      expect(chart, 'an equity chart canvas exists').not.toBeNull();
      expect(chart?.points, 'the curve has points').toBeGreaterThan(1);
      expect(chart?.line, 'the equity line was drawn').toBeGreaterThan(200);
      expect(await page.locator('#trades tbody tr').count()).toBeGreaterThan(0);
      expect(JSON.parse((await page.locator('#document').textContent()) ?? '{}')).toMatchObject({ version: 1, name: expected[0]?.name });
      expect(await page.locator('#insights canvas').count(), 'the learning insight charts').toBeGreaterThanOrEqual(4);

      mkdirSync(ARTIFACTS, { recursive: true });
      const shot = join(ARTIFACTS, 'leaderboard.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      expect(pageErrors, 'no errors in the page').toEqual([]);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });

  it('the API process stops cleanly on SIGTERM', { timeout: 30_000 }, async () => {
    const exit = await api.stop();
    expect(exit, api.lines.slice(-5).join('\n')).toEqual({ code: 0, signal: null });
    expect(api.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
  });
});
