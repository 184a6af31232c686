import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, migrate, openDb, readMigrations, type Db, type TestDatabase } from '../src/index.js';

describe('migrations', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase({ migrate: false });
  });
  afterAll(async () => {
    await tdb?.drop();
  });

  it('apply to an empty database, then a second run applies nothing', async () => {
    const all = readMigrations().map((m) => m.name);
    const first = await migrate({ url: tdb.url });
    expect(first.applied, 'every migration applies on an empty database').toEqual(all);
    const second = await migrate({ url: tdb.url });
    expect(second.applied, 'nothing is applied twice').toEqual([]);
    expect(second.alreadyApplied).toEqual(all);
  });

  it('records history the way prisma migrate deploy does', async () => {
    const c = new pg.Client({ connectionString: tdb.url });
    await c.connect();
    try {
      const { rows } = await c.query('SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name');
      expect(rows.map((r) => r.migration_name)).toEqual(readMigrations().map((m) => m.name));
      for (const [i, m] of readMigrations().entries()) {
        expect(rows[i].checksum, `${m.name} checksum is the SHA-256 of its script`).toBe(m.checksum);
        expect(rows[i].finished_at).toBeInstanceOf(Date);
      }
    } finally {
      await c.end();
    }
  });

  it('runs concurrently without applying anything twice', async () => {
    const fresh = await createTestDatabase({ migrate: false });
    try {
      const reports = await Promise.all([migrate({ url: fresh.url }), migrate({ url: fresh.url }), migrate({ url: fresh.url })]);
      const applied = reports.flatMap((r) => r.applied);
      expect(applied.sort(), 'each migration applied by exactly one runner').toEqual(readMigrations().map((m) => m.name).sort());
    } finally {
      await fresh.drop();
    }
  });

  it('creates a missing database', async () => {
    const fresh = await createTestDatabase({ migrate: false });
    await fresh.drop();
    try {
      const r = await migrate({ url: fresh.url });
      expect(r.createdDatabase).toBe(true);
      expect(r.applied.length).toBeGreaterThan(0);
    } finally {
      await fresh.drop();
    }
  });

  it('refuses a migration changed after it was applied, and rolls back a failing one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mt-migrations-'));
    const fresh = await createTestDatabase({ migrate: false });
    try {
      mkdirSync(join(dir, '20260101000000_create_a'));
      writeFileSync(join(dir, '20260101000000_create_a', 'migration.sql'), 'CREATE TABLE a (x int);');
      await migrate({ url: fresh.url, migrationsDir: dir });
      writeFileSync(join(dir, '20260101000000_create_a', 'migration.sql'), 'CREATE TABLE a (x bigint);');
      await expect(migrate({ url: fresh.url, migrationsDir: dir })).rejects.toThrow(/20260101000000_create_a was changed after it was applied/);

      writeFileSync(join(dir, '20260101000000_create_a', 'migration.sql'), 'CREATE TABLE a (x int);');
      mkdirSync(join(dir, '20260102000000_break_b'));
      writeFileSync(join(dir, '20260102000000_break_b', 'migration.sql'), 'CREATE TABLE b (y int);\nSELECT * FROM no_such_table;');
      await expect(migrate({ url: fresh.url, migrationsDir: dir })).rejects.toThrow(/20260102000000_break_b failed and was rolled back: .*no_such_table/);
      const c = new pg.Client({ connectionString: fresh.url });
      await c.connect();
      try {
        const tables = await c.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'b'");
        expect(tables.rows[0].n, 'the failed migration left no table behind').toBe(0);
        const hist = await c.query('SELECT migration_name FROM _prisma_migrations');
        expect(hist.rows.map((r) => r.migration_name)).toEqual(['20260101000000_create_a']);
      } finally {
        await c.end();
      }
    } finally {
      await fresh.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const SCALARS = new Set(['String', 'Int', 'Float', 'Boolean', 'DateTime', 'Json', 'Bytes', 'BigInt', 'Decimal']);

/** `table.column` → NOT NULL (null for lists, which SQL keeps nullable), and enum type → values. */
type Shape = { columns: Record<string, boolean | null>; enums: Record<string, string[]> };

/** What schema.prisma declares (our formatting: one field per line, `@map`/`@@map` for SQL names). */
function declaredShape(text: string): Shape {
  const blocks = [...text.matchAll(/^(model|enum) (\w+) \{([\s\S]*?)^\}/gm)];
  const enumNames = new Set(blocks.filter((b) => b[1] === 'enum').map((b) => b[2] as string));
  const shape: Shape = { columns: {}, enums: {} };
  for (const [, kind, name, body] of blocks) {
    const lines = (body as string).split('\n').map((l) => l.replace(/\/\/.*$/, '').trim()).filter((l) => l !== '');
    const table = /@@map\("([^"]+)"\)/.exec(body as string)?.[1] ?? (name as string);
    if (kind === 'enum') {
      shape.enums[table] = lines.filter((l) => !l.startsWith('@@')).sort();
      continue;
    }
    for (const line of lines) {
      const m = /^(\w+)\s+(\w+)(\[\]|\?)?(.*)$/.exec(line);
      if (!m || !(SCALARS.has(m[2] as string) || enumNames.has(m[2] as string))) continue; // relation fields have no column
      const column = /@map\("([^"]+)"\)/.exec(m[4] as string)?.[1] ?? (m[1] as string);
      shape.columns[`${table}.${column}`] = m[3] === '[]' ? null : m[3] !== '?';
    }
  }
  return shape;
}

/** What the migrations created. */
async function migratedShape(url: string): Promise<Shape> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const cols = await c.query<{ name: string; not_null: boolean; is_array: boolean }>(
      `SELECT table_name || '.' || column_name AS name, is_nullable = 'NO' AS not_null, data_type = 'ARRAY' AS is_array
       FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
    );
    const ens = await c.query<{ typname: string; labels: string[] }>(
      'SELECT t.typname, array_agg(e.enumlabel::text) AS labels FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname',
    );
    return {
      columns: Object.fromEntries(cols.rows.map((r) => [r.name, r.is_array ? null : r.not_null])),
      enums: Object.fromEntries(ens.rows.map((r) => [r.typname, [...r.labels].sort()])),
    };
  } finally {
    await c.end();
  }
}

describe('schema.prisma and the migrations', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase();
  });
  afterAll(async () => {
    await tdb?.drop();
  });

  it('declare the same tables, columns, NOT NULLs and enum values', async () => {
    const declared = declaredShape(readFileSync(new URL('../../../prisma/schema.prisma', import.meta.url), 'utf8'));
    const migrated = await migratedShape(tdb.url);
    const sorted = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).sort(([x], [y]) => x.localeCompare(y)));
    expect(sorted(migrated.columns), 'a migration changed tables or columns: describe the same in schema.prisma (true = NOT NULL)').toEqual(sorted(declared.columns));
    expect(sorted(migrated.enums), 'enum types and values').toEqual(sorted(declared.enums));
  });
});

describe('every model against a freshly migrated database', () => {
  let tdb: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    tdb = await createTestDatabase();
    db = openDb({ url: tdb.url });
  });
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  it('creates, reads and relates a row of each model', async () => {
    const p = db.prisma;
    const ts = new Date('2025-04-03T17:05:00Z');
    await p.candle.create({ data: { symbol: 'BTCUSDT', timeframe: '5m', ts, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 } });
    expect(await p.candle.findUnique({ where: { symbol_timeframe_ts: { symbol: 'BTCUSDT', timeframe: '5m', ts } } })).toMatchObject({ close: 1.5 });

    const dataset = await p.dataset.create({ data: { id: 'd'.repeat(64), symbols: ['BTCUSDT'], timeframe: '5m', fromTs: ts, toTs: ts, bars: 1, source: 'test' } });
    const cycle = await p.cycle.create({
      data: { id: '2026-11-25', day: new Date('2026-11-25'), trigger: 'schedule', seed: '42', requestedCount: 500, datasetId: dataset.id, deadline: new Date() },
    });
    expect(cycle.state).toBe('pending');
    expect(cycle.timings).toEqual({});

    const strategy = await p.strategy.create({
      data: { id: 's'.repeat(64), name: 'x', document: { version: 1 }, type: 'momentum', timeframe: '1h', symbols: ['BTCUSDT'], origin: 'ga', parentIds: ['a', 'b'], cycleId: cycle.id },
    });
    expect(strategy.status).toBe('generated');

    const result = await p.backtestResult.create({
      data: {
        strategyId: strategy.id, datasetId: dataset.id, engineVersion: '1', cycleId: cycle.id, timeframe: '1h', bars: 1, fromTs: ts, toTs: ts,
        capital: 10000, feeRate: 0.0006, slippageRate: 0.0005, totalReturn: 0.1, sharpe: 1.2, sortino: null, maxDrawdown: 0.05, winRate: 0.5,
        profitFactor: 1.3, trades: 1, avgTradePnl: 10, longestWinStreak: 1, longestLossStreak: 0, exposure: 0.2, monthlyReturns: { '2025-04': 0.1 }, result: {},
      },
    });
    expect(result.id, 'uuid from the database default').toMatch(/^[0-9a-f-]{36}$/);
    await expect(
      p.backtestResult.create({ data: { ...result, id: undefined } as never }),
      'strategy + dataset + engine version is unique',
    ).rejects.toThrow();

    await p.trade.create({ data: { resultId: result.id, seq: 0, symbol: 'BTCUSDT', side: 'long', entryTs: ts, entryPrice: 1, exitTs: ts, exitPrice: 2, qty: 1, fees: 0, pnl: 1, reason: 'signal' } });
    await p.equityCurve.create({ data: { resultId: result.id, points: 1, tsMs: new Uint8Array(8), equity: new Uint8Array(8) } });
    await p.learningInsight.create({ data: { cycleId: cycle.id, kind: 'indicator_stats', data: { rsi: 1 } } });
    await p.gaMember.create({ data: { cycleId: cycle.id, strategyId: strategy.id, fitness: 1.5, rank: 1 } });
    await p.pattern.create({ data: { featureKey: 'long.entry:rsi<', successCount: 1, rewardSum: 0.5, rewardSumSq: 0.25, lastCycleId: cycle.id } });
    const model = await p.predictorModel.create({ data: { name: 'lstm', version: 1, symbol: 'BTCUSDT', timeframe: '1h', config: {}, weights: new Uint8Array([1, 2]) } });
    await p.prediction.create({ data: { modelId: model.id, symbol: 'BTCUSDT', timeframe: '1h', ts, horizonBars: 4, value: 0.01, probUp: 0.6 } });

    const full = await p.backtestResult.findUniqueOrThrow({
      where: { id: result.id },
      include: { strategy: true, dataset: true, cycle: true, tradeRows: true, equityCurve: true },
    });
    expect(full.tradeRows).toHaveLength(1);
    expect(full.equityCurve?.points).toBe(1);
    const c = await p.cycle.findUniqueOrThrow({ where: { id: cycle.id }, include: { insights: true, gaMembers: true, strategies: true, results: true, dataset: true } });
    expect([c.insights.length, c.gaMembers.length, c.strategies.length, c.results.length]).toEqual([1, 1, 1, 1]);
    expect((await p.predictorModel.findUniqueOrThrow({ where: { id: model.id }, include: { predictions: true } })).predictions).toHaveLength(1);
    expect(await p.pattern.count()).toBe(1);

    // Listing queries the API will run use the indexes; here they must at least be valid.
    expect(await p.strategy.findMany({ where: { status: 'generated' }, orderBy: { sharpe: 'desc' } })).toHaveLength(1);
    expect(await p.backtestResult.findMany({ where: { cycleId: cycle.id }, orderBy: { sharpe: 'desc' } })).toHaveLength(1);

    await p.strategy.delete({ where: { id: strategy.id } });
    expect(await p.trade.count(), 'deleting a strategy removes its results and their trades').toBe(0);
  });

  it('stores grid returns out of line, without compression attempts', async () => {
    const { rows } = await db.pool.query<{ attstorage: string }>(`SELECT attstorage FROM pg_attribute WHERE attrelid = 'backtest_results'::regclass AND attname = 'grid_returns'`);
    expect(rows[0]?.attstorage, 'float bytes do not compress: EXTERNAL, not the default EXTENDED').toBe('e');
  });
});
