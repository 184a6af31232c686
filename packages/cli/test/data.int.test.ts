import { spawn } from 'node:child_process';
import { createTestDatabase, type TestDatabase } from '@mastertrade/db';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BIN, ROOT, embeddedCsv, ensureBuilt, lines, removeTempDirs, tempDir, writeIn } from './cli-harness.js';

vi.setConfig({ testTimeout: 120_000 });

/** `mastertrade data ...` against this file's own database. */
function data(url: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'data', ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('mastertrade data', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    ensureBuilt();
    // Not migrated: the command applies the migrations itself.
    tdb = await createTestDatabase({ migrate: false });
  }, 300_000);
  afterAll(async () => {
    await tdb?.drop();
    removeTempDirs();
  });

  it('status on an empty database says how to get candles', async () => {
    const r = await data(tdb.url, ['status']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no candles stored \(try: mastertrade data seed/);
  });

  it('imports a folder: the good file is stored, the bad one is named with its line and stores nothing (exit 2)', async () => {
    const dir = tempDir();
    writeIn(dir, 'GOODUSDT_5m.csv', embeddedCsv('BTCUSDT', 50));
    const bad = embeddedCsv('ETHUSDT', 50).split('\n');
    bad[20] = (bad[20] as string).replace(/,[^,]+$/, ',-1');
    writeIn(dir, 'BADUSDT_5m.csv', bad.join('\n'));
    const r = await data(tdb.url, ['import', dir]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/BADUSDT_5m\.csv: BADUSDT 5m at .* \(line 21\): invalid bar: volume -1 is negative; nothing from this file was stored/);
    expect(r.stdout).toMatch(/GOODUSDT\s+5m\s+50 .* 50\s+0\s+0/);
    const status = await data(tdb.url, ['status', '--json']);
    expect(lines(status.stdout).map((l) => JSON.parse(l)).map((s) => [s.symbol, s.count, s.gaps])).toEqual([['GOODUSDT', 50, 0]]);
    const again = await data(tdb.url, ['import', `${dir}/GOODUSDT_5m.csv`, '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ symbol: 'GOODUSDT', inserted: 0, unchanged: 50, conflicting: 0 });
  });

  it('seeds the embedded set', async () => {
    const r = await data(tdb.url, ['seed', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout).map((l) => JSON.parse(l)).map((f) => [f.symbol, f.bars])).toEqual([
      ['BNBUSDT', 25_920],
      ['BTCUSDT', 25_920],
      ['ETHUSDT', 25_920],
    ]);
  });

  it('refuses bad flags and an unknown exchange with exit 2', async () => {
    expect((await data(tdb.url, ['fetch', '--days', 'ten'])).stderr).toMatch(/--days must be a whole number/);
    const r = await data(tdb.url, ['fetch', '--exchange', 'nosuchexchange', '--days', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown exchange "nosuchexchange"/);
    expect((await data(tdb.url, ['frobnicate'])).code).toBe(2);
  });

  it('names an unreachable database instead of printing a stack', async () => {
    const r = await data('postgresql://postgres@127.0.0.1:1/nothing', ['status']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot reach PostgreSQL at postgresql:\/\/postgres@127\.0\.0\.1:1\/nothing/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
