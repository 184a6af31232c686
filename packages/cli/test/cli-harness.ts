import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/**
 * Runs the CLI the way a user does: `node packages/cli/bin/mastertrade.js ...` on the
 * built output, in a child process, with its own temp folder for inputs.
 */

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = join(ROOT, 'packages/cli/bin/mastertrade.js');
export const EXAMPLES = join(ROOT, 'examples');
export const GOLDEN = fileURLToPath(new URL('../../../../shared/golden/', import.meta.url));
export const SHARED_DATA = fileURLToPath(new URL('../../../../shared/data/bybit-5m/', import.meta.url));
const EMBEDDED = join(ROOT, 'packages/market-data/data');

/** The workspaces the CLI's dist depends on, in build order. */
const BUILT_PACKAGES = ['core', 'market-data', 'cli'];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** True when some package's dist is missing or older than its sources. */
export function distIsStale(): boolean {
  return BUILT_PACKAGES.some((name) => {
    const pkg = join(ROOT, 'packages', name);
    const built = join(pkg, 'dist/index.js');
    if (!existsSync(built)) return true;
    const sources = Math.max(newestMtime(join(pkg, 'src')), statSync(join(pkg, 'tsconfig.json')).mtimeMs);
    return sources > statSync(built).mtimeMs;
  });
}

/** Builds the CLI and its dependencies (turbo) only when dist is missing or stale. */
export function ensureBuilt(): void {
  if (!distIsStale()) return;
  try {
    execFileSync(join(ROOT, 'node_modules/.bin/turbo'), ['run', 'build', '--filter=@mastertrade/cli', '--output-logs=errors-only'], {
      cwd: ROOT,
      stdio: 'pipe',
      encoding: 'utf8',
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`building the CLI failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns `node bin/mastertrade.js ...args` and collects its output. */
export function runCli(args: string[], opts: { cwd?: string } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1' },
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

/**
 * Spawns the CLI and closes the reading end of its stdout after the first line, as
 * `mastertrade ... | head -1` does.
 */
export function runCliReadingOneLine(args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (stdout.includes('\n')) child.stdout.destroy();
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Non-blank stdout lines. */
export const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');

const made: string[] = [];

/** A fresh temp folder for one test's inputs; removed by `removeTempDirs`. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mastertrade-cli-'));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Writes `content` (objects as pretty JSON, like a hand-written document) to dir/name. */
export function writeIn(dir: string, name: string, content: unknown): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  return path;
}

type Doc = Record<string, unknown>;

/** A valid version-1 document (RSI dip on BTCUSDT 1h) that trades on the embedded data; override any field. */
export function strategyDoc(overrides: Doc = {}): Doc {
  return {
    version: 1,
    name: 'rsi-dip-test',
    type: 'mean_reversion',
    timeframe: '1h',
    symbols: ['BTCUSDT'],
    long: {
      entry: [{ a: { ind: 'rsi', period: 14 }, op: '<', b: 35 }],
      exit: [{ a: { ind: 'rsi', period: 14 }, op: '>', b: 55 }],
    },
    short: null,
    risk: { size: 0.5, leverage: 1, stopLoss: 0.03, takeProfit: 0.06, trailingStop: null },
    ...overrides,
  };
}

/** The first `rows` candles of an embedded symbol as CSV text (header included). */
export function embeddedCsv(symbol: string, rows: number): string {
  const text = gunzipSync(readFileSync(join(EMBEDDED, `${symbol}_5m.csv.gz`))).toString('utf8');
  return lines(text).slice(0, rows + 1).join('\n') + '\n';
}

/** A golden strategy document, its text and its expected result line. */
export function goldenCase(index: number): { file: string; path: string; expected: Doc } {
  const files = readdirSync(join(GOLDEN, 'strategies')).filter((f) => f.endsWith('.json')).sort();
  const file = files[index];
  if (file === undefined) throw new Error(`no golden strategy #${index}`);
  const expected = lines(readFileSync(join(GOLDEN, 'expected.jsonl'), 'utf8'))[index];
  if (expected === undefined) throw new Error(`no expected line #${index}`);
  return { file, path: join(GOLDEN, 'strategies', file), expected: JSON.parse(expected) as Doc };
}

/**
 * Where `actual` differs from `expected`: numbers within 1e-6 relative (1e-9 absolute, as
 * golden/compare.py), everything else (times, reasons, sides, keys, array lengths) exactly.
 */
export function differences(expected: unknown, actual: unknown, at = '$'): string[] {
  if (typeof expected === 'number' && typeof actual === 'number') {
    const diff = Math.abs(expected - actual);
    return expected === actual || diff <= 1e-6 * Math.max(Math.abs(expected), Math.abs(actual)) || diff <= 1e-9
      ? []
      : [`${at}: expected ${expected}, got ${actual}`];
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) return [`${at}: expected ${expected.length} items, got ${actual.length}`];
    return expected.flatMap((e, i) => differences(e, actual[i], `${at}[${i}]`));
  }
  if (expected !== null && actual !== null && typeof expected === 'object' && typeof actual === 'object' && !Array.isArray(expected) && !Array.isArray(actual)) {
    const e = expected as Doc;
    const a = actual as Doc;
    const keys = [...new Set([...Object.keys(e), ...Object.keys(a)])].sort();
    return keys.flatMap((k) => (k in e && k in a ? differences(e[k], a[k], `${at}.${k}`) : [`${at}.${k}: ${k in e ? 'missing' : 'unexpected'}`]));
  }
  return expected === actual ? [] : [`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}
