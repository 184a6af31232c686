import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, openDb, type TestDatabase } from '@mastertrade/db';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'packages/cli/bin/mastertrade.js');

let tdb: TestDatabase;
let modelDir: string;

beforeAll(async () => {
  for (const built of ['packages/cli/dist/commands/predictor.js', 'services/predictor/dist/index.js', 'packages/predictor-model/dist/index.js']) {
    if (!existsSync(join(ROOT, built))) throw new Error(`build first (npx turbo run build --filter=@mastertrade/cli): ${built} is missing`);
  }
  tdb = await createTestDatabase();
  modelDir = await mkdtemp(join(tmpdir(), 'mt-cli-models-'));
}, 60_000);

afterAll(async () => {
  await tdb?.drop();
  if (modelDir) await rm(modelDir, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'predictor', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: tdb.url, MODEL_DIR: modelDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('mastertrade predictor', () => {
  it('--help exits 0; a missing --symbol, a bad flag value or predict without a model exit 2', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/predictor train --symbol BTCUSDT \[--small\]/);
    const noSymbol = await cli(['train']);
    expect(noSymbol.code).toBe(2);
    expect(noSymbol.stderr).toMatch(/--symbol is required/);
    const badEpochs = await cli(['train', '--symbol', 'BTCUSDT', '--epochs', '0']);
    expect(badEpochs.code).toBe(2);
    expect(badEpochs.stderr).toMatch(/--epochs must be 1\.\.200/);
    const noModel = await cli(['predict', '--symbol', 'BTCUSDT']);
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toMatch(/no trained predictor model for BTCUSDT 1h/);
  }, 60_000);

  it('train --json then predict --json: one JSON line each on stdout, progress on stderr, rows stored', async () => {
    const train = await cli(['train', '--symbol', 'BTCUSDT', '--small', '--epochs', '1', '--max-windows', '120', '--json']);
    expect(train.code, train.stderr).toBe(0);
    const lines = train.stdout.trimEnd().split('\n');
    expect(lines, 'exactly one line on stdout').toHaveLength(1);
    const t = JSON.parse(lines[0] as string) as { modelId: string; version: number; size: string; dataSource: string; validation: { skill: number }; usable: boolean };
    expect(t).toMatchObject({ version: 1, size: 'small', dataSource: 'embedded' });
    expect(Number.isFinite(t.validation.skill)).toBe(true);
    expect(train.stderr).toMatch(/backend: (tensorflow|wasm|cpu)/);
    expect(train.stderr).toMatch(/epoch 1\/1 {2}loss [\d.]+ {2}val_loss [\d.]+/);

    const predict = await cli(['predict', '--symbol', 'BTCUSDT', '--json']);
    expect(predict.code, predict.stderr).toBe(0);
    const plines = predict.stdout.trimEnd().split('\n');
    expect(plines).toHaveLength(1);
    const p = JSON.parse(plines[0] as string) as { modelId: string; confidence: number; usable: boolean };
    expect(p.modelId).toBe(t.modelId);
    expect(p.usable).toBe(t.usable);

    const db = openDb({ url: tdb.url, maxConnections: 1 });
    try {
      expect(await db.prisma.predictorModel.count()).toBe(1);
      const rows = await db.prisma.prediction.findMany();
      expect(rows).toHaveLength(1);
      expect(rows[0]?.confidence).toBeCloseTo(p.confidence, 12);
    } finally {
      await db.close();
    }
  }, 180_000);
});
