import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetCache, runUserBacktest } from '@mastertrade/pipeline';
import { QUEUES } from '@mastertrade/queue';
import { API_KEY, READ_KEY, runCycleInProcess, TestApi } from './helpers.js';

const EXAMPLE = JSON.parse(readFileSync(fileURLToPath(new URL('../../../examples/01_rsi-dip-1h.json', import.meta.url)), 'utf8')) as Record<string, unknown>;
const UNKNOWN_STRATEGY = 'f'.repeat(64);
const COUNT = 12;

/** Every error body the tests see, checked at the end for stack traces. */
const errorBodies: string[] = [];

describe('the HTTP API against real Redis and PostgreSQL', () => {
  let api: TestApi;
  let cycleId: string;

  beforeAll(async () => {
    api = await TestApi.start();
    cycleId = await runCycleInProcess(api.db, api.queues, { count: COUNT, seed: 'api-routes' });
  }, 120_000);

  afterAll(async () => {
    await api?.close();
  });

  /** A call expected to fail with `status`; returns the JSON error and remembers the body. */
  async function fails(status: number, method: string, path: string, o: Parameters<TestApi['call']>[2] = {}) {
    const r = await api.call(method, path, o);
    errorBodies.push(r.text);
    expect(r.status, `${method} ${path} → ${r.text}`).toBe(status);
    expect(r.headers.get('content-type'), 'errors are JSON').toMatch(/application\/json/);
    return r.json as { error: string; message: string; field?: string; in?: string; problems?: { field: string; message: string }[] };
  }

  describe('health and metrics', () => {
    it('GET /healthz answers while the process is up', async () => {
      const r = await api.call('GET', '/healthz');
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ ok: true });
    });

    it('GET /readyz reports Redis and PostgreSQL round trips', async () => {
      const r = await api.call('GET', '/readyz');
      expect(r.status).toBe(200);
      expect(r.json.ok).toBe(true);
      expect(r.json.redis.ok).toBe(true);
      expect(r.json.postgres.ok).toBe(true);
    });

    it('GET /metrics has process, queue, cycle, strategy and HTTP metrics', async () => {
      await api.call('GET', '/api/strategies');
      const r = await api.call('GET', '/metrics');
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/text\/plain/);
      expect(r.text).toContain('process_cpu_user_seconds_total');
      expect(r.text).toContain('nodejs_heap_size_used_bytes');
      /** A sample of `name` whose labels include every pair of `labels` (any order), and its value. */
      const sample = (name: string, labels: Record<string, string>) => {
        for (const line of r.text.split('\n')) {
          const m = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
          if (!m || m[1] !== name) continue;
          const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
          if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
        }
        return undefined;
      };
      expect(sample('mt_queue_jobs', { service: 'api', queue: 'backtest', state: 'waiting' })).toBeGreaterThanOrEqual(0);
      expect(sample('mt_queue_workers', { queue: 'backtest' })).toBe(0);
      expect(sample('mt_last_cycle_pass_rate', {})).toBeGreaterThan(0);
      expect(sample('mt_last_cycle_duration_seconds', { phase: 'total' })).toBeGreaterThan(0);
      expect(sample('mt_last_cycle_strategies', { outcome: 'backtested' })).toBe(COUNT);
      expect(sample('mt_cycles', { state: 'completed' })).toBe(1);
      expect(sample('mt_cycle_running', {})).toBe(0);
      const statuses = ['passed', 'rejected', 'paper_trading'].map((status) => sample('mt_strategies', { status }) ?? 0);
      expect(statuses.reduce((a, b) => a + b, 0), 'every strategy of the cycle by status').toBe(COUNT);
      expect(sample('mt_http_request_duration_seconds_count', { method: 'GET', route: '/api/strategies', status: '200' })).toBeGreaterThanOrEqual(1);
    });
  });

  describe('OpenAPI', () => {
    it('GET /api/openapi.json documents every route from the validation schemas', async () => {
      const r = await api.call('GET', '/api/openapi.json');
      expect(r.status).toBe(200);
      const doc = r.json;
      expect(doc.openapi).toBe('3.0.3');
      expect(Object.keys(doc.paths).sort()).toEqual(
        [
          '/api/backtests',
          '/api/backtests/{id}',
          '/api/cycles',
          '/api/cycles/{id}',
          '/api/strategies',
          '/api/strategies/generate',
          '/api/strategies/learning/stats',
          '/api/strategies/pipeline/status',
          '/api/strategies/{id}',
          '/api/strategies/{id}/status',
          '/healthz',
          '/metrics',
          '/readyz',
        ].sort(),
      );
      const gen = doc.components.schemas.GenerateRequest;
      expect(gen.properties.count).toMatchObject({ type: 'integer', minimum: 1, maximum: 10_000 });
      expect(gen.additionalProperties, 'unknown fields are refused').toBe(false);
      const bt = doc.components.schemas.BacktestRequest;
      expect(Object.keys(bt.properties.strategy.properties)).toEqual(expect.arrayContaining(['version', 'name', 'type', 'timeframe', 'symbols', 'long', 'short', 'risk']));
      const list = doc.paths['/api/strategies'].get.parameters.map((p: { name: string }) => p.name);
      expect(list).toEqual(['status', 'type', 'timeframe', 'cycle', 'sort', 'limit', 'cursor']);
      expect(doc.paths['/api/strategies/generate'].post.security).toEqual([{ apiKey: [] }]);
      expect(Object.keys(doc.paths['/api/strategies/generate'].post.responses).sort()).toEqual(['202', '400', '401', '413']);
    });
  });

  describe('POST /api/strategies/generate', () => {
    it('needs the API key', async () => {
      expect((await fails(401, 'POST', '/api/strategies/generate', { body: { count: 5 } })).message).toMatch(/missing/);
      expect((await fails(401, 'POST', '/api/strategies/generate', { body: { count: 5 }, key: 'wrong-key-0123456789' })).message).toMatch(/wrong/);
      await fails(401, 'POST', '/api/strategies/generate', { body: { count: 5 }, key: READ_KEY });
    });

    it('refuses bad input, naming the field', async () => {
      const cases: [unknown, string][] = [
        [{}, 'count'],
        [{ count: 0 }, 'count'],
        [{ count: 10_001 }, 'count'],
        [{ count: 2.5 }, 'count'],
        [{ count: '10' }, 'count'],
        [{ count: 5, colour: 'red' }, 'colour'],
        [{ count: 5, symbols: [] }, 'symbols'],
        [{ count: 5, symbols: ['BTCUSDT', 'BTCUSDT'] }, 'symbols'],
        [{ count: 5, symbols: ['BTC/USDT'] }, 'symbols[0]'],
        [{ count: 5, timeframes: ['2h'] }, 'timeframes[0]'],
        [{ count: 5, seed: '' }, 'seed'],
        [[1, 2], '(body)'],
      ];
      for (const [body, field] of cases) {
        const e = await fails(400, 'POST', '/api/strategies/generate', { body, key: API_KEY });
        expect(e.error).toBe('invalid_request');
        expect(e.field, JSON.stringify(body)).toBe(field);
        expect(e.in).toBe('body');
      }
      expect((await fails(400, 'POST', '/api/strategies/generate', { rawBody: '{"count": ', key: API_KEY })).error).toBe('invalid_json');
      expect((await fails(400, 'POST', '/api/strategies/generate', { rawBody: 'count=5', key: API_KEY, headers: { 'content-type': 'application/x-www-form-urlencoded' } })).field).toBe('(body)');
      expect((await fails(400, 'POST', '/api/strategies/generate?wait=1', { body: { count: 5 }, key: API_KEY })).field).toBe('wait');
    });

    it('answers 413 for a body over the limit', async () => {
      const e = await fails(413, 'POST', '/api/strategies/generate', { body: { count: 5, seed: 'x'.repeat(70 * 1024) }, key: API_KEY });
      expect(e.error).toBe('payload_too_large');
    });

    it('enqueues a cycle and answers 202 at once with its id and status URL', async () => {
      const t0 = Date.now();
      const r = await api.call('POST', '/api/strategies/generate', { body: { count: 7, symbols: ['BTCUSDT'], timeframes: ['1h', '4h'], seed: 'gen-1' }, key: API_KEY });
      expect(r.status).toBe(202);
      expect(Date.now() - t0, 'never waits for the work').toBeLessThan(2000);
      expect(r.json).toMatchObject({ status: 'queued', statusUrl: `/api/cycles/${r.json.cycleId}` });
      expect(r.json.cycleId).toMatch(/^manual-[0-9a-f-]{36}$/);
      expect(r.headers.get('location')).toBe(r.json.statusUrl);
      const job = await api.queues.queue(QUEUES.cycle).getJob(r.json.jobId);
      expect(job?.name).toBe('cycle.start');
      expect(job?.data).toMatchObject({ cycleId: r.json.cycleId, trigger: 'api', count: 7, symbols: ['BTCUSDT'], timeframes: ['1h', '4h'], seed: 'gen-1' });
      // Not started by any generator here: the status URL says so rather than 500.
      await fails(404, 'GET', r.json.statusUrl);
    });
  });

  describe('GET /api/strategies/pipeline/status', () => {
    it('has the seed’s fields under their names plus ours', async () => {
      const r = await api.call('GET', '/api/strategies/pipeline/status');
      expect(r.status).toBe(200);
      const s = r.json;
      expect(s.isRunning).toBe(false);
      expect(s.lastGenerationTime).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(s.nextGenerationTime).toMatch(/T03:00:00\.000Z$/);
      expect(new Date(s.nextGenerationTime).getTime()).toBeGreaterThan(Date.now());
      expect(s.strategiesPerGeneration).toBe(500);
      expect(s.learningStats).toMatchObject({ totalBacktestsAnalyzed: COUNT });
      expect(typeof s.learningStats.successPatternsIdentified).toBe('number');
      expect(typeof s.learningStats.failurePatternsIdentified).toBe('number');
      expect(s.schedule).toEqual({ cron: '0 3 * * *', timezone: 'UTC', symbols: ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'], deadlineMs: 3 * 3600_000 });
      expect(s.currentCycle).toBeNull();
      expect(s.lastCycle).toMatchObject({ id: cycleId, state: 'completed', backtested: COUNT });
      expect(s.queues.cycle.waiting, 'the cycle enqueued above waits').toBeGreaterThanOrEqual(1);
      expect(s.workers).toEqual({ cycle: 0, fetch: 0, backtest: 0, learner: 0, predictor: 0 });
    });

    it('shows a running cycle with progress and deadline', async () => {
      await api.db.pool.query(
        `INSERT INTO cycles (id, day, trigger, seed, requested_count, deadline, config, state, started_at, updated_at)
         VALUES ('running-1', current_date, 'manual', 's', 40, now() + interval '1 hour', '{}', 'backtesting', now() - interval '10 seconds', now())`,
      );
      try {
        const s = (await api.call('GET', '/api/strategies/pipeline/status')).json;
        expect(s.isRunning).toBe(true);
        expect(s.currentCycle).toMatchObject({ id: 'running-1', state: 'backtesting', progress: { done: 0, total: 40, passed: 0, percent: 0 }, etaSeconds: null });
        expect(s.deadline).toBe(s.currentCycle.deadline);
      } finally {
        await api.db.pool.query(`DELETE FROM cycles WHERE id = 'running-1'`);
      }
    });

    it('refuses unknown query parameters', async () => {
      expect((await fails(400, 'GET', '/api/strategies/pipeline/status?verbose=1')).field).toBe('verbose');
    });
  });

  describe('GET /api/strategies/learning/stats', () => {
    it('returns the latest insights and their history', async () => {
      const r = await api.call('GET', '/api/strategies/learning/stats');
      expect(r.status).toBe(200);
      const { latest, patterns, history } = r.json;
      expect(latest.cycleId).toBe(cycleId);
      expect(latest.analysed).toBe(COUNT);
      for (const k of ['indicatorRanking', 'timeframeRanking', 'correlations', 'quantiles', 'successPatterns', 'failurePatterns']) expect(Array.isArray(latest[k]), k).toBe(true);
      expect(typeof latest.parameterRanges).toBe('object');
      expect(latest.quantiles.length).toBeGreaterThan(0);
      expect(Array.isArray(patterns.patterns)).toBe(true);
      expect(history).toHaveLength(1);
      expect(history[0]).toMatchObject({ cycleId, analysed: COUNT });
    });

    it('validates history', async () => {
      expect((await fails(400, 'GET', '/api/strategies/learning/stats?history=0')).field).toBe('history');
      expect((await fails(400, 'GET', '/api/strategies/learning/stats?history=abc')).field).toBe('history');
      expect((await fails(400, 'GET', '/api/strategies/learning/stats?hist=3')).field).toBe('hist');
    });
  });

  describe('GET /api/strategies', () => {
    it('lists by Sharpe, best first, and pages with a cursor without repeats or gaps', async () => {
      const all = (await api.call('GET', `/api/strategies?cycle=${cycleId}&limit=200`)).json;
      expect(all.items).toHaveLength(COUNT);
      expect(all.nextCursor).toBeNull();
      const sharpes = all.items.map((s: { sharpe: number | null }) => s.sharpe ?? -Infinity);
      expect(sharpes).toEqual([...sharpes].sort((a, b) => b - a));
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: { id: string }[]; nextCursor: string | null } = (await api.call('GET', `/api/strategies?cycle=${cycleId}&limit=5${cursor ? `&cursor=${cursor}` : ''}`)).json;
        expect(page.items.length).toBeLessThanOrEqual(5);
        seen.push(...page.items.map((s) => s.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(all.items.map((s: { id: string }) => s.id));
    });

    it('pages by creation time too', async () => {
      const first = (await api.call('GET', '/api/strategies?sort=created&limit=4')).json;
      const second = (await api.call('GET', `/api/strategies?sort=created&limit=4&cursor=${first.nextCursor}`)).json;
      const ids = [...first.items, ...second.items].map((s: { id: string }) => s.id);
      expect(new Set(ids).size).toBe(8);
    });

    it('filters by status, type and timeframe', async () => {
      const all = (await api.call('GET', '/api/strategies?limit=200')).json.items as { id: string; status: string; type: string; timeframe: string }[];
      const one = all[0];
      expect(one).toBeDefined();
      for (const [param, key] of [
        ['status', 'status'],
        ['type', 'type'],
        ['timeframe', 'timeframe'],
      ] as const) {
        const value = one![key];
        const r = (await api.call('GET', `/api/strategies?${param}=${value}&limit=200`)).json;
        expect(r.items.length, `${param}=${value}`).toBe(all.filter((s) => s[key] === value).length);
        expect(r.items.every((s: Record<string, string>) => s[key] === value)).toBe(true);
      }
    });

    it('refuses bad filters, limits and cursors, naming the parameter', async () => {
      const cases: [string, string][] = [
        ['status=winning', 'status'],
        ['type=arbitrage', 'type'],
        ['timeframe=2h', 'timeframe'],
        ['sort=name', 'sort'],
        ['limit=0', 'limit'],
        ['limit=201', 'limit'],
        ['limit=ten', 'limit'],
        ['limit=1&limit=2', 'limit'],
        ['cursor=nonsense', 'cursor'],
        ['cycle=a:b', 'cycle'],
        ['page=2', 'page'],
      ];
      for (const [qs, field] of cases) {
        const e = await fails(400, 'GET', `/api/strategies?${qs}`);
        expect(e.field, qs).toBe(field);
        expect(e.in).toBe('query');
      }
      const page = (await api.call('GET', '/api/strategies?limit=2')).json;
      expect((await fails(400, 'GET', `/api/strategies?sort=created&cursor=${page.nextCursor}`)).message).toMatch(/sort=sharpe/);
    });
  });

  describe('GET /api/strategies/:id', () => {
    it('returns document, results, trades and equity curve', async () => {
      const best = (await api.call('GET', `/api/strategies?cycle=${cycleId}&limit=1`)).json.items[0];
      const r = await api.call('GET', `/api/strategies/${best.id}`);
      expect(r.status).toBe(200);
      const d = r.json;
      expect(d.strategy).toMatchObject({ id: best.id, name: best.name, cycleId });
      expect(d.document).toMatchObject({ version: 1, name: best.name });
      expect(d.results).toHaveLength(1);
      expect(d.results[0].metrics.trades).toBeGreaterThan(0);
      expect(d.shownResultId).toBe(d.results[0].id);
      expect(d.trades.total).toBe(d.results[0].metrics.trades);
      expect(d.trades.items.length).toBe(Math.min(500, d.trades.total));
      expect(d.trades.items[0]).toMatchObject({ seq: 0, symbol: expect.any(String), side: expect.stringMatching(/^(long|short)$/) });
      expect(d.equityCurve.points).toBeGreaterThan(1);
      expect(d.equityCurve.tsMs).toHaveLength(d.equityCurve.points);
      expect(d.equityCurve.equity).toHaveLength(d.equityCurve.points);
      const few = (await api.call('GET', `/api/strategies/${best.id}?trades=0`)).json;
      expect(few.trades.items).toEqual([]);
    });

    it('404 for an unknown id, 400 for a malformed one or bad query', async () => {
      expect((await fails(404, 'GET', `/api/strategies/${UNKNOWN_STRATEGY}`)).error).toBe('not_found');
      expect((await fails(400, 'GET', '/api/strategies/not-a-hash')).field).toBe('id');
      const best = (await api.call('GET', '/api/strategies?limit=1')).json.items[0];
      expect((await fails(400, 'GET', `/api/strategies/${best.id}?trades=-1`)).field).toBe('trades');
      expect((await fails(400, 'GET', `/api/strategies/${best.id}?full=1`)).field).toBe('full');
    });
  });

  describe('POST /api/strategies/:id/status', () => {
    it('needs the API key', async () => {
      const id = (await api.call('GET', '/api/strategies?limit=1')).json.items[0].id;
      await fails(401, 'POST', `/api/strategies/${id}/status`, { body: { status: 'retired' } });
      await fails(401, 'POST', `/api/strategies/${id}/status`, { body: { status: 'retired' }, key: 'nope-nope-nope-nope' });
    });

    it('refuses bad input and unknown ids', async () => {
      const id = (await api.call('GET', '/api/strategies?limit=1')).json.items[0].id;
      expect((await fails(400, 'POST', `/api/strategies/${id}/status`, { body: { status: 'deleted' }, key: API_KEY })).field).toBe('status');
      expect((await fails(400, 'POST', `/api/strategies/${id}/status`, { body: {}, key: API_KEY })).field).toBe('status');
      expect((await fails(400, 'POST', `/api/strategies/${id}/status`, { body: { status: 'retired', why: 'x' }, key: API_KEY })).field).toBe('why');
      expect((await fails(400, 'POST', `/api/strategies/${id}/status`, { body: { status: 'retired', reason: 'r'.repeat(501) }, key: API_KEY })).field).toBe('reason');
      expect((await fails(400, 'POST', '/api/strategies/xyz/status', { body: { status: 'retired' }, key: API_KEY })).field).toBe('id');
      await fails(404, 'POST', `/api/strategies/${UNKNOWN_STRATEGY}/status`, { body: { status: 'retired' }, key: API_KEY });
    });

    it('retires and promotes by hand', async () => {
      const items = (await api.call('GET', `/api/strategies?cycle=${cycleId}&limit=3`)).json.items as { id: string; status: string }[];
      const [a, b] = items as [{ id: string; status: string }, { id: string; status: string }];
      const r = await api.call('POST', `/api/strategies/${a.id}/status`, { body: { status: 'retired', reason: 'drawdown too deep live' }, key: API_KEY });
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ id: a.id, status: 'retired', previousStatus: a.status, statusReason: 'drawdown too deep live' });
      expect((await api.call('GET', `/api/strategies/${a.id}`)).json.strategy).toMatchObject({ status: 'retired', statusReason: 'drawdown too deep live' });
      const p = await api.call('POST', `/api/strategies/${b.id}/status`, { body: { status: 'live_candidate' }, key: API_KEY });
      expect(p.json.status).toBe('live_candidate');
      const retired = (await api.call('GET', '/api/strategies?status=retired')).json.items.map((s: { id: string }) => s.id);
      expect(retired).toContain(a.id);
    });
  });

  describe('POST /api/backtests and GET /api/backtests/:id', () => {
    it('needs the API key', async () => {
      await fails(401, 'POST', '/api/backtests', { body: { strategy: EXAMPLE } });
    });

    it('refuses an invalid document, naming the field inside it', async () => {
      const cases: [unknown, string][] = [
        [{}, 'strategy'],
        [{ strategy: { ...EXAMPLE, timeframe: '2h' } }, 'strategy.timeframe'],
        [{ strategy: { ...EXAMPLE, risk: { size: 2, leverage: 1 } } }, 'strategy.risk.size'],
        [{ strategy: { ...EXAMPLE, long: { entry: [{ a: { ind: 'rsi', period: 14 }, op: '<=', b: 30 }], exit: [] } } }, 'strategy.long.entry[0].op'],
        [{ strategy: { ...EXAMPLE, colour: 'red' } }, 'strategy.colour'],
        [{ strategy: EXAMPLE, days: 0 }, 'days'],
        [{ strategy: EXAMPLE, engine: 'e2' }, 'engine'],
      ];
      for (const [body, field] of cases) {
        const e = await fails(400, 'POST', '/api/backtests', { body, key: API_KEY });
        expect(e.field, JSON.stringify(body).slice(0, 80)).toBe(field);
      }
    });

    it('stores the document, enqueues one job per document and reports its state', async () => {
      const r = await api.call('POST', '/api/backtests', { body: { strategy: EXAMPLE, days: 30 }, key: API_KEY });
      expect(r.status).toBe(202);
      const { id, strategyId, statusUrl, strategyUrl } = r.json;
      expect(id).toBe(`user-${strategyId}-e1-30d`);
      expect(statusUrl).toBe(`/api/backtests/${id}`);
      expect(strategyUrl).toBe(`/api/strategies/${strategyId}`);
      const again = await api.call('POST', '/api/backtests', { body: { strategy: { ...EXAMPLE, name: 'same rules, other name' }, days: 30 }, key: API_KEY });
      expect(again.json.id, 'the same rules are the same backtest').toBe(id);
      const jobs = await api.queues.queue(QUEUES.backtest).getJobs(['waiting']);
      expect(jobs.filter((j) => j.name === 'backtest.user').map((j) => j.id)).toEqual([id]);
      expect((await api.call('GET', statusUrl)).json).toMatchObject({ id, strategyId, state: 'queued', result: null });
      expect((await api.call('GET', strategyUrl)).json.strategy).toMatchObject({ origin: 'user', status: 'generated' });

      // What a backtest worker does with the job (the pipeline test runs it on a real worker).
      await runUserBacktest({ strategyId, engineVersion: 'e1', days: 30 }, { db: api.db, datasets: new DatasetCache(api.db) });
      const done = (await api.call('GET', statusUrl)).json;
      expect(done.state).toBe('done');
      expect(done.result.trades).toBeGreaterThan(0);
      const detail = (await api.call('GET', strategyUrl)).json;
      expect(detail.strategy.status).toBe('backtested');
      expect(detail.equityCurve.points).toBeGreaterThan(1);
      expect(detail.trades.total).toBe(done.result.trades);
    });

    it('404 for an unknown backtest, 400 for a malformed id', async () => {
      await fails(404, 'GET', `/api/backtests/user-${UNKNOWN_STRATEGY}-e1-90d`);
      expect((await fails(400, 'GET', '/api/backtests/12345')).field).toBe('id');
    });
  });

  describe('cycles', () => {
    it('GET /api/cycles lists cycles, newest first', async () => {
      const r = await api.call('GET', '/api/cycles');
      expect(r.status).toBe(200);
      expect(r.json.items.map((c: { id: string }) => c.id)).toContain(cycleId);
      const completed = (await api.call('GET', '/api/cycles?state=completed&limit=5')).json.items;
      expect(completed.every((c: { state: string }) => c.state === 'completed')).toBe(true);
      expect((await fails(400, 'GET', '/api/cycles?limit=0')).field).toBe('limit');
      expect((await fails(400, 'GET', '/api/cycles?state=sleeping')).field).toBe('state');
      expect((await fails(400, 'GET', '/api/cycles?order=asc')).field).toBe('order');
    });

    it('GET /api/cycles/:id returns counts, timings, progress and the best strategies', async () => {
      const r = await api.call('GET', `/api/cycles/${cycleId}`);
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ id: cycleId, state: 'completed', generated: COUNT, backtested: COUNT, progress: { total: COUNT, done: COUNT, percent: 100 } });
      expect(Object.keys(r.json.timingsMs)).toEqual(expect.arrayContaining(['fetching', 'generating', 'backtesting', 'learning', 'total']));
      expect(r.json.best.length).toBe(10);
      expect(r.json.insights.map((i: { kind: string }) => i.kind)).toEqual(expect.arrayContaining(['patterns', 'statistics']));
      await fails(404, 'GET', '/api/cycles/2001-01-01');
      expect((await fails(400, 'GET', '/api/cycles/bad:id')).field).toBe('id');
    });
  });

  describe('Bull Board, the page and unknown routes', () => {
    it('Bull Board needs the API key (header or Basic auth)', async () => {
      const none = await api.call('GET', '/admin/queues');
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Basic /);
      expect((await api.call('GET', '/admin/queues', { key: 'wrong-wrong-wrong-wrong' })).status).toBe(401);
      expect((await api.call('GET', '/admin/queues/api/queues')).status).toBe(401);
      const page = await api.call('GET', '/admin/queues', { key: API_KEY });
      expect(page.status).toBe(200);
      expect(page.text).toMatch(/<html/i);
      const basic = await api.call('GET', '/admin/queues', { headers: { authorization: `Basic ${Buffer.from(`admin:${API_KEY}`).toString('base64')}` } });
      expect(basic.status).toBe(200);
      const queues = await api.call('GET', '/admin/queues/api/queues', { key: API_KEY });
      expect(queues.status).toBe(200);
      expect(queues.json.queues.map((q: { name: string }) => q.name).sort()).toEqual(Object.values(QUEUES).sort());
    });

    it('serves the leaderboard page and its charting library', async () => {
      const page = await api.call('GET', '/');
      expect(page.status).toBe(200);
      expect(page.text).toContain('/vendor/uplot/uPlot.iife.min.js');
      expect((await api.call('GET', '/vendor/uplot/uPlot.iife.min.js')).status).toBe(200);
      expect((await api.call('GET', '/app.js')).status).toBe(200);
    });

    it('answers 404 JSON for unknown routes', async () => {
      expect((await fails(404, 'GET', '/api/nothing-here')).error).toBe('not_found');
      expect((await fails(404, 'DELETE', `/api/strategies/${UNKNOWN_STRATEGY}`)).error).toBe('not_found');
      expect((await fails(404, 'GET', '/nothing-here')).error).toBe('not_found');
    });

    it('no error body carried a stack trace', () => {
      expect(errorBodies.length).toBeGreaterThan(40);
      for (const b of errorBodies) {
        expect(b).not.toMatch(/\n\s+at |\.ts:\d+|\.js:\d+|node_modules/);
      }
    });
  });
});

describe('API configurations', () => {
  it('the read cache serves repeated reads and is cleared by the API’s own writes', async () => {
    const api = await TestApi.start({ cacheTtlMs: 60_000 });
    try {
      const insert = (n: number) =>
        api.db.pool.query(
          `INSERT INTO strategies (id, name, document, type, timeframe, symbols, origin, parent_ids, sharpe, updated_at)
           VALUES ($1, $2, '{}', 'momentum', '1h', ARRAY['BTCUSDT'], 'random', '{}', $3, now())`,
          [String(n).repeat(64).slice(0, 64), `cached-${n}`, n],
        );
      await insert(1);
      const first = await api.call('GET', '/api/strategies');
      expect(first.json.items.map((s: { name: string }) => s.name)).toEqual(['cached-1']);
      expect(first.headers.get('content-type')).toMatch(/application\/json/);
      await insert(2);
      expect((await api.call('GET', '/api/strategies')).text, 'served from the cache').toBe(first.text);
      expect((await api.call('GET', '/api/strategies?limit=10')).json.items, 'another query is another entry').toHaveLength(2);
      const status1 = (await api.call('GET', '/api/strategies/pipeline/status')).json;
      expect((await api.call('GET', '/api/strategies/pipeline/status')).json.asOf).toBe(status1.asOf);
      const set = await api.call('POST', `/api/strategies/${'1'.repeat(64)}/status`, { key: API_KEY, body: { status: 'retired' } });
      expect(set.status).toBe(200);
      const after = (await api.call('GET', '/api/strategies')).json.items.map((s: { name: string; status: string }) => `${s.name}:${s.status}`);
      expect(after, 'a write clears the cache').toEqual(['cached-2:generated', 'cached-1:retired']);
    } finally {
      await api.close();
    }
  });

  it('API_READ_KEY closes the read routes; it never opens the mutating ones', async () => {
    const api = await TestApi.start({ readKey: READ_KEY });
    try {
      expect((await api.call('GET', '/api/strategies')).status).toBe(401);
      expect((await api.call('GET', '/api/strategies/pipeline/status', { key: 'x'.repeat(20) })).status).toBe(401);
      expect((await api.call('GET', '/api/strategies', { key: READ_KEY })).status).toBe(200);
      expect((await api.call('GET', '/api/cycles', { key: API_KEY })).status, 'the write key reads too').toBe(200);
      expect((await api.call('POST', '/api/strategies/generate', { key: READ_KEY, body: { count: 1 } })).status).toBe(401);
      expect((await api.call('GET', '/healthz')).status).toBe(200);
      expect((await api.call('GET', '/metrics')).status).toBe(200);
      expect((await api.call('GET', '/api/openapi.json')).status).toBe(200);
    } finally {
      await api.close();
    }
  });

  it('without API_KEY the API is read-only; a dead database gives 500/503 without details', async () => {
    const api = await TestApi.start({
      apiKey: null,
      tdb: { url: 'postgresql://postgres@127.0.0.1:5432/mt_test_does_not_exist', name: 'mt_test_does_not_exist', drop: async () => undefined },
    });
    try {
      const w = await api.call('POST', '/api/strategies/generate', { key: API_KEY, body: { count: 1 } });
      expect(w.status).toBe(401);
      expect(w.json.message).toMatch(/API_KEY/);
      expect((await api.call('GET', '/admin/queues', { key: API_KEY })).status).toBe(401);
      const r = await api.call('GET', '/api/strategies');
      expect(r.status).toBe(500);
      expect(r.json).toEqual({ error: 'internal', message: 'internal error' });
      const ready = await api.call('GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.json).toMatchObject({ ok: false, redis: { ok: true }, postgres: { ok: false } });
      expect((await api.call('GET', '/healthz')).status, 'liveness does not depend on the database').toBe(200);
    } finally {
      await api.close();
    }
  });
});
