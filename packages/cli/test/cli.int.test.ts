import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it, vi } from 'vitest';
import {
  EXAMPLES,
  GOLDEN,
  SHARED_DATA,
  differences,
  embeddedCsv,
  ensureBuilt,
  goldenCase,
  lines,
  removeTempDirs,
  runCli,
  runCliReadingOneLine,
  strategyDoc,
  tempDir,
  writeIn,
} from './cli-harness.js';

/**
 * `mastertrade` as a user runs it: `node packages/cli/bin/mastertrade.js` on the built
 * output (built here when dist is missing or older than the sources), exit codes, stdout
 * and stderr. STRATEGY_FORMAT.md "The command" is the contract.
 */

// Each test spawns one to three node processes; several run at once on a small machine.
vi.setConfig({ testTimeout: 120_000 });
beforeAll(() => ensureBuilt(), 300_000);
afterAll(() => removeTempDirs());

const EXIT_OK = 0;
const EXIT_USAGE = 2;

type Result = Record<string, unknown> & { strategy: string; settings: Record<string, number>; metrics: Record<string, unknown> };

/** Every stdout line parsed as JSON; a line that is not JSON fails the test with that line. */
function jsonLines(stdout: string): Record<string, unknown>[] {
  return lines(stdout).map((l) => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      throw new Error(`stdout line is not JSON: ${l.slice(0, 200)}`);
    }
  });
}

/** A one-line-per-document JSON-lines text. */
const jsonl = (docs: (object | string)[]): string => docs.map((d) => (typeof d === 'string' ? d : JSON.stringify(d))).join('\n') + '\n';

describe.concurrent('help', () => {
  it('mastertrade --help lists the commands and exits 0', async ({ expect }) => {
    const r = await runCli(['--help']);
    expect(r.code, r.stderr).toBe(EXIT_OK);
    expect(r.stdout).toContain('Commands:');
    expect(r.stdout).toMatch(/^\s+backtest\s/m);
  });

  it('mastertrade backtest --help shows both forms and every flag', async ({ expect }) => {
    const r = await runCli(['backtest', '--help']);
    expect(r.code, r.stderr).toBe(EXIT_OK);
    for (const flag of ['--strategy FILE', '--strategies DIR|FILE.jsonl', '--data', '--fee', '--slippage', '--capital', '--json']) {
      expect(r.stdout, flag).toContain(flag);
    }
  });

  it('no command shows the usage and exits 2', async ({ expect }) => {
    const r = await runCli([]);
    expect(r.code, r.stderr).toBe(EXIT_USAGE);
    expect(r.stdout + r.stderr).toContain('backtest');
  });

  it('an unknown command exits 2 naming it', async ({ expect }) => {
    const r = await runCli(['frobnicate']);
    expect(r.code, r.stderr).toBe(EXIT_USAGE);
    expect(r.stderr).toContain('frobnicate');
    expect(r.stdout).toBe('');
  });
});

describe.concurrent('bad flags exit 2 with a message on stderr', () => {
  const good = ['--strategy', join(EXAMPLES, '01_rsi-dip-1h.json'), '--json'];
  const cases: [string, string[], string][] = [
    ['an unknown flag', [...good, '--bogus'], '--bogus'],
    ['a flag without its value', [...good, '--fee'], '--fee'],
    ['a positional argument', [...good, 'extra'], 'extra'],
    ['both --strategy and --strategies', [...good, '--strategies', EXAMPLES], '--strategies'],
    ['neither --strategy nor --strategies', ['--json'], '--strategy'],
    ['--fee that is not a number', [...good, '--fee', 'abc'], '--fee'],
    ['--fee of 1 or more', [...good, '--fee', '1'], '--fee'],
    ['a negative --fee', [...good, '--fee=-0.001'], '--fee'],
    ['--slippage that is not a number', [...good, '--slippage', '0.1%'], '--slippage'],
    ['a negative --slippage', [...good, '--slippage=-1'], '--slippage'],
    ['--capital of 0', [...good, '--capital', '0'], '--capital'],
    ['a negative --capital', [...good, '--capital=-100'], '--capital'],
    ['--capital in hex', [...good, '--capital', '0x10'], '--capital'],
    ['--capital too large for a number', [...good, '--capital', '1e400'], '--capital'],
  ];
  it.for(cases)('%s', async ([, args, named], { expect }) => {
    const r = await runCli(['backtest', ...args]);
    expect(r.code, r.stderr).toBe(EXIT_USAGE);
    expect(r.stderr).toContain(named);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.stdout, 'nothing on stdout').toBe('');
  });

  it('several bad settings are all named, with the values given', async ({ expect }) => {
    const r = await runCli(['backtest', ...good, '--fee', '5', '--slippage', 'lots', '--capital=-1e3']);
    expect(r.code, r.stderr).toBe(EXIT_USAGE);
    for (const part of ['--fee must be < 1 (got "5")', '--slippage must be a number (got "lots")', '--capital must be > 0 (got "-1e3")']) {
      expect(r.stderr).toContain(part);
    }
  });
});

describe.concurrent('bad strategy files exit 2 naming the file and the field', () => {
  it('a strategy file that does not exist', async ({ expect }) => {
    const dir = tempDir();
    const r = await runCli(['backtest', '--strategy', join(dir, 'missing.json'), '--json']);
    expect(r.code, r.stderr).toBe(EXIT_USAGE);
    expect(r.stderr).toContain('missing.json');
    expect(r.stdout).toBe('');
  });

  it('a --strategies folder that does not exist', async ({ expect }) => {
    const dir = tempDir();
    const r = await runCli(['backtest', '--strategies', join(dir, 'nowhere'), '--json']);
    expect(r.code, r.stderr).toBe(EXIT_USAGE);
    expect(r.stderr).toContain('nowhere');
    expect(r.stdout).toBe('');
  });

  it('a folder given to --strategy', async ({ expect }) => {
    const r = await runCli(['backtest', '--strategy', EXAMPLES, '--json']);
    expect(r.code, r.stderr).toBe(EXIT_USAGE);
    expect(r.stderr).toContain('--strategies');
    expect(r.stdout).toBe('');
  });

  it('an empty strategy file', async ({ expect }) => {
    const path = writeIn(tempDir(), 'empty.json', '');
    const r = await runCli(['backtest', '--strategy', path, '--json']);
    expect(r.code, r.stderr).toBe(EXIT_USAGE);
    expect(r.stderr).toContain('empty.json');
    expect(r.stdout).toBe('');
  });

  it('leverage out of range names risk.leverage', async ({ expect }) => {
    const doc = strategyDoc({ risk: { size: 0.5, leverage: 10, stopLoss: null, takeProfit: null, trailingStop: null } });
    const path = writeIn(tempDir(), 'too-much-leverage.json', doc);
    const r = await runCli(['backtest', '--strategy', path, '--json']);
    expect(r.code, r.stderr).toBe(EXIT_USAGE);
    expect(r.stderr).toContain('too-much-leverage.json');
    expect(r.stderr).toContain('risk.leverage');
    expect(r.stdout).toBe('');
  });

  it('invalid JSON names the file', async ({ expect }) => {
    const path = writeIn(tempDir(), 'truncated.json', '{"version": 1, "name": ');
    const r = await runCli(['backtest', '--strategy', path, '--json']);
    expect(r.code, r.stderr).toBe(EXIT_USAGE);
    expect(r.stderr).toContain('truncated.json');
    expect(r.stderr).toContain('invalid JSON');
    expect(r.stdout).toBe('');
  });

  const fields = JSON.parse(readFileSync(join(GOLDEN, 'bad-strategies.fields.json'), 'utf8')) as Record<string, string>;
  it.for(Object.entries(fields))('golden bad-strategies/%s names %s', async ([file, field], { expect }) => {
    const path = writeIn(tempDir(), file, readFileSync(join(GOLDEN, 'bad-strategies', file), 'utf8'));
    const r = await runCli(['backtest', '--strategy', path, '--json']);
    expect(r.code, r.stderr).toBe(EXIT_USAGE);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toContain(field);
    expect(r.stdout).toBe('');
  });
});

describe.concurrent('bad data exits 2 naming the folder, file or row', () => {
  const strategyIn = (dir: string, overrides = {}) => writeIn(dir, 'strategy.json', strategyDoc(overrides));

  it('a data folder that does not exist', async ({ expect }) => {
    const dir = tempDir();
    const r = await runCli(['backtest', '--strategy', strategyIn(dir), '--data', join(dir, 'no-such-data'), '--json']);
    expect(r.code, r.stderr).toBe(EXIT_USAGE);
    expect(r.stderr).toContain('no-such-data');
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('a data folder without candle files', async ({ expect }) => {
    const dir = tempDir();
    writeIn(dir, 'data/notes.txt', 'nothing here');
    const r = await runCli(['backtest', '--strategy', strategyIn(dir), '--data', join(dir, 'data'), '--json']);
    expect(r.code, r.stderr).toBe(EXIT_USAGE);
    expect(r.stderr).toContain('SYMBOL_<step>.csv');
    expect(r.stdout).toBe('');
  });

  it('a bad number in a row names the file and the line', async ({ expect }) => {
    const dir = tempDir();
    const rows = embeddedCsv('BTCUSDT', 2000).split('\n');
    rows[6] = (rows[6] as string).replace(/^([^,]+),[^,]+/, '$1,not-a-price'); // line 7 of the file
    writeIn(dir, 'data/BTCUSDT_5m.csv', rows.join('\n'));
    const r = await runCli(['backtest', '--strategy', strategyIn(dir), '--data', join(dir, 'data'), '--json']);
    expect(r.code, r.stderr).toBe(EXIT_USAGE);
    expect(r.stderr).toContain('BTCUSDT_5m.csv');
    expect(r.stderr).toContain('line 7');
    expect(r.stdout).toBe('');
  });

  it('an invalid bar (high below close) names the file and the line', async ({ expect }) => {
    const dir = tempDir();
    const rows = embeddedCsv('BTCUSDT', 2000).split('\n');
    const cells = (rows[41] as string).split(','); // line 42: timestamp,open,high,low,close,volume
    cells[2] = String(Number(cells[4]) / 2);
    rows[41] = cells.join(',');
    writeIn(dir, 'data/BTCUSDT_5m.csv', rows.join('\n'));
    const r = await runCli(['backtest', '--strategy', strategyIn(dir), '--data', join(dir, 'data'), '--json']);
    expect(r.code, r.stderr).toBe(EXIT_USAGE);
    expect(r.stderr).toContain('BTCUSDT_5m.csv');
    expect(r.stderr).toContain('line 42');
  });

  it('a symbol with no candle file names the symbol', async ({ expect }) => {
    const dir = tempDir();
    writeIn(dir, 'data/BTCUSDT_5m.csv', embeddedCsv('BTCUSDT', 2000));
    const r = await runCli(['backtest', '--strategy', strategyIn(dir, { symbols: ['BTCUSDT', 'SOLUSDT'] }), '--data', join(dir, 'data'), '--json']);
    expect(r.code, r.stderr).toBe(EXIT_USAGE);
    expect(r.stderr).toContain('strategy.json');
    expect(r.stderr).toContain('SOLUSDT');
    expect(r.stdout).toBe('');
  });

  it('a data file coarser than the timeframe names the file', async ({ expect }) => {
    const dir = tempDir();
    writeIn(dir, 'data/BTCUSDT_1h.csv', embeddedCsv('BTCUSDT', 200)); // the step is read from the name
    const r = await runCli(['backtest', '--strategy', strategyIn(dir, { timeframe: '15m' }), '--data', join(dir, 'data'), '--json']);
    expect(r.code, r.stderr).toBe(EXIT_USAGE);
    expect(r.stderr).toContain('BTCUSDT_1h.csv');
    expect(r.stderr).toContain('15m');
    expect(r.stdout).toBe('');
  });

  it('a data folder of the user runs a strategy (finer candles are resampled)', async ({ expect }) => {
    const dir = tempDir();
    writeIn(dir, 'data/BTCUSDT_5m.csv', embeddedCsv('BTCUSDT', 3000));
    const r = await runCli(['backtest', '--strategy', strategyIn(dir), '--data', join(dir, 'data'), '--json']);
    expect(r.code, r.stderr).toBe(EXIT_OK);
    const [result] = jsonLines(r.stdout) as Result[];
    expect(result?.timeframe).toBe('1h');
    expect(result?.bars, '3000 5m bars are 250 whole hours at most').toBeLessThanOrEqual(250);
  });
});

describe.concurrent('--json', () => {
  it('--strategy prints exactly one JSON line and nothing on stderr', async ({ expect }) => {
    const r = await runCli(['backtest', '--strategy', join(EXAMPLES, '01_rsi-dip-1h.json'), '--json']);
    expect(r.code, r.stderr).toBe(EXIT_OK);
    expect(r.stderr).toBe('');
    expect(r.stdout.endsWith('\n')).toBe(true);
    const out = jsonLines(r.stdout) as Result[];
    expect(out).toHaveLength(1);
    expect(out[0]?.strategy).toBe('rsi-dip-1h');
    expect(Object.keys(out[0] ?? {})).toEqual(
      expect.arrayContaining(['strategy', 'timeframe', 'settings', 'bars', 'from', 'to', 'metrics', 'perSymbol', 'trades']),
    );
  });

  it('a batch with failures keeps stdout pure JSON and puts diagnostics on stderr', async ({ expect }) => {
    const dir = tempDir();
    writeIn(dir, 'in/a.json', strategyDoc({ name: 'a' }));
    writeIn(dir, 'in/b.json', '{ not json');
    writeIn(dir, 'in/c.json', strategyDoc({ name: 'c', symbols: ['DOGEUSDT'] }));
    writeIn(dir, 'in/d.json', strategyDoc({ name: 'd', timeframe: '4h' }));
    const r = await runCli(['backtest', '--strategies', join(dir, 'in'), '--json']);
    expect(r.code, r.stderr).toBe(EXIT_USAGE);
    const out = jsonLines(r.stdout);
    expect(out.map((o) => o['strategy'] ?? o['file'])).toEqual(['a', 'b.json', 'c.json', 'd']);
    expect(r.stderr).toContain('2 strategies could not run');
    expect(r.stderr).not.toContain('{');
  });

  it('a reader that stops after one line (| head -1) ends the batch quietly', async ({ expect }) => {
    const r = await runCliReadingOneLine(['backtest', '--strategies', join(GOLDEN, 'strategies'), '--json']);
    expect(r.stderr, 'no EPIPE stack trace').toBe('');
    expect(r.code, r.stderr).toBe(EXIT_OK);
    expect(JSON.parse(lines(r.stdout)[0] ?? '')).toHaveProperty('strategy');
  });
});

describe.concurrent('golden results', () => {
  it('--strategy on one golden strategy equals its expected line', async ({ expect }) => {
    const golden = goldenCase(2); // three symbols, long and short trades
    const r = await runCli(['backtest', '--strategy', golden.path, '--data', SHARED_DATA, '--json']);
    expect(r.code, r.stderr).toBe(EXIT_OK);
    const out = jsonLines(r.stdout);
    expect(out).toHaveLength(1);
    const diffs = differences(golden.expected, out[0]);
    expect(diffs, diffs.slice(0, 5).join('\n')).toEqual([]);
  });

  it('--data embedded equals the default data and the shared data', async ({ expect }) => {
    const path = goldenCase(12).path;
    const [byDefault, embedded, shared] = await Promise.all([
      runCli(['backtest', '--strategy', path, '--json']),
      runCli(['backtest', '--strategy', path, '--data', 'embedded', '--json']),
      runCli(['backtest', '--strategy', path, '--data', SHARED_DATA, '--json']),
    ]);
    expect(byDefault.code, byDefault.stderr).toBe(EXIT_OK);
    expect(embedded.stdout).toBe(byDefault.stdout);
    expect(shared.stdout).toBe(byDefault.stdout);
  });
});

describe.concurrent('batches', () => {
  it('--strategies DIR streams one line per document in file-name order', async ({ expect }) => {
    const dir = tempDir();
    const names = ['b.json', '10_x.json', 'a.json', '2_y.json'];
    for (const n of names) writeIn(dir, `in/${n}`, strategyDoc({ name: `doc-${n.replace('.json', '')}` }));
    writeIn(dir, 'in/README.md', 'not a strategy');
    writeIn(dir, 'in/zz.json/notes.txt', 'a folder named like a document is not one');
    const r = await runCli(['backtest', '--strategies', join(dir, 'in'), '--json']);
    expect(r.code, r.stderr).toBe(EXIT_OK);
    const out = jsonLines(r.stdout) as Result[];
    expect(out.map((o) => o.strategy)).toEqual(['doc-10_x', 'doc-2_y', 'doc-a', 'doc-b']);
  });

  it('a folder batch prints {"file", "error"} in place of a bad document and exits 2 at the end', async ({ expect }) => {
    const dir = tempDir();
    writeIn(dir, 'in/001_first.json', strategyDoc({ name: 'first' }));
    writeIn(dir, 'in/002_bad.json', strategyDoc({ name: 'bad', risk: { size: 0.5, leverage: 1, stopLoss: 2 } }));
    writeIn(dir, 'in/003_last.json', strategyDoc({ name: 'last', short: { entry: [{ a: { ind: 'rsi', period: 14 }, op: '>', b: 70 }], exit: [] } }));
    const r = await runCli(['backtest', '--strategies', join(dir, 'in'), '--json']);
    expect(r.code, r.stderr).toBe(EXIT_USAGE);
    const out = jsonLines(r.stdout);
    expect(out).toHaveLength(3);
    expect(out[0]?.['strategy']).toBe('first');
    expect(Object.keys(out[1] ?? {}).sort()).toEqual(['error', 'file']);
    expect(out[1]?.['file']).toBe('002_bad.json');
    expect(out[1]?.['error']).toContain('risk.stopLoss');
    expect(out[2]?.['strategy']).toBe('last');
  });

  it('a JSON-lines batch prints {"line": 3, "error"} in place of a bad line 3 and exits 2 at the end', async ({ expect }) => {
    const dir = tempDir();
    const path = writeIn(
      dir,
      'batch.jsonl',
      jsonl([
        strategyDoc({ name: 'one' }),
        strategyDoc({ name: 'two', timeframe: '4h' }),
        strategyDoc({ name: 'three', long: { entry: [{ a: { ind: 'sma', period: 1 }, op: '<', b: 1 }], exit: [] } }),
        strategyDoc({ name: 'four', symbols: ['ETHUSDT', 'BNBUSDT'] }),
      ]),
    );
    const r = await runCli(['backtest', '--strategies', path, '--json']);
    expect(r.code, r.stderr).toBe(EXIT_USAGE);
    const out = jsonLines(r.stdout);
    expect(out).toHaveLength(4);
    expect([out[0]?.['strategy'], out[1]?.['strategy'], out[3]?.['strategy']]).toEqual(['one', 'two', 'four']);
    expect(Object.keys(out[2] ?? {}).sort()).toEqual(['error', 'line']);
    expect(out[2]?.['line']).toBe(3);
    expect(out[2]?.['error']).toContain('long.entry[0].a.period');
  });

  it('JSON-lines numbering counts blank lines and an unparseable line is an error in its place', async ({ expect }) => {
    const dir = tempDir();
    const path = writeIn(dir, 'batch.jsonl', jsonl([strategyDoc({ name: 'one' }), '', '{"version": 1,', strategyDoc({ name: 'four' }), '']));
    const r = await runCli(['backtest', '--strategies', path, '--json']);
    expect(r.code, r.stderr).toBe(EXIT_USAGE);
    const out = jsonLines(r.stdout);
    expect(out.map((o) => o['strategy'] ?? o['line'])).toEqual(['one', 3, 'four']);
  });

  it('--strategies with a single .json document runs it like a folder of one', async ({ expect }) => {
    const r = await runCli(['backtest', '--strategies', join(EXAMPLES, '02_macd-cross-4h.json'), '--json']);
    expect(r.code, r.stderr).toBe(EXIT_OK);
    expect((jsonLines(r.stdout) as Result[]).map((o) => o.strategy)).toEqual(['macd-cross-4h']);
  });

  it('an empty JSON-lines file is an error naming it', async ({ expect }) => {
    const path = writeIn(tempDir(), 'nothing.jsonl', '\n\n');
    const r = await runCli(['backtest', '--strategies', path, '--json']);
    expect(r.code, r.stderr).toBe(EXIT_USAGE);
    expect(r.stderr).toContain('nothing.jsonl');
    expect(r.stdout).toBe('');
  });

  it('a data error in a batch is an error line for that strategy only', async ({ expect }) => {
    const dir = tempDir();
    writeIn(dir, 'data/BTCUSDT_5m.csv', embeddedCsv('BTCUSDT', 3000));
    writeIn(dir, 'in/1.json', strategyDoc({ name: 'btc' }));
    writeIn(dir, 'in/2.json', strategyDoc({ name: 'eth', symbols: ['ETHUSDT'] }));
    const r = await runCli(['backtest', '--strategies', join(dir, 'in'), '--data', join(dir, 'data'), '--json']);
    expect(r.code, r.stderr).toBe(EXIT_USAGE);
    const out = jsonLines(r.stdout);
    expect(out[0]?.['strategy']).toBe('btc');
    expect(out[1]).toEqual({ file: '2.json', error: expect.stringContaining('ETHUSDT') });
  });
});

describe.concurrent('settings flags', () => {
  it('--fee, --slippage and --capital change the result settings and the result', async ({ expect }) => {
    const path = join(EXAMPLES, '01_rsi-dip-1h.json');
    const [base, custom] = await Promise.all([
      runCli(['backtest', '--strategy', path, '--json']),
      runCli(['backtest', '--strategy', path, '--fee', '0.001', '--slippage=0', '--capital', '2500.5', '--json']),
    ]);
    expect(base.code, base.stderr).toBe(EXIT_OK);
    expect(custom.code, custom.stderr).toBe(EXIT_OK);
    const [b] = jsonLines(base.stdout) as Result[];
    const [c] = jsonLines(custom.stdout) as Result[];
    expect(b?.settings).toEqual({ capital: 10000, fee: 0.0006, slippage: 0.0005 });
    expect(c?.settings).toEqual({ capital: 2500.5, fee: 0.001, slippage: 0 });
    expect(c?.metrics['totalReturn']).not.toBe(b?.metrics['totalReturn']);
  });

  it('settings apply to every strategy of a batch', async ({ expect }) => {
    const r = await runCli(['backtest', '--strategies', EXAMPLES, '--capital', '1e3', '--fee', '0', '--json']);
    expect(r.code, r.stderr).toBe(EXIT_OK);
    for (const o of jsonLines(r.stdout) as Result[]) expect(o.settings, o.strategy).toEqual({ capital: 1000, fee: 0, slippage: 0.0005 });
  });
});

describe.concurrent('human output and the examples', () => {
  const exampleFiles = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json')).sort();
  const exampleNames = exampleFiles.map((f) => (JSON.parse(readFileSync(join(EXAMPLES, f), 'utf8')) as { name: string }).name);

  it('every example runs on the embedded data and trades', async ({ expect }) => {
    expect(exampleFiles.length).toBeGreaterThanOrEqual(10);
    const r = await runCli(['backtest', '--strategies', EXAMPLES, '--json']);
    expect(r.code, r.stderr).toBe(EXIT_OK);
    const out = jsonLines(r.stdout) as Result[];
    expect(out.map((o) => o.strategy)).toEqual(exampleNames);
    for (const o of out) expect(o.metrics['trades'], o.strategy).toBeGreaterThan(0);
    expect(new Set(out.map((o) => o['timeframe']))).toEqual(new Set(['5m', '15m', '1h', '4h']));
  });

  it('without --json a batch prints a summary table naming every strategy', async ({ expect }) => {
    const r = await runCli(['backtest', '--strategies', EXAMPLES]);
    expect(r.code, r.stderr).toBe(EXIT_OK);
    const [header, rule, ...rows] = lines(r.stdout);
    expect(header).toMatch(/^strategy\s+tf\s+trades\s+return\s+sharpe/);
    expect(rule).toMatch(/^-+(\s+-+)+$/);
    expect(rows).toHaveLength(exampleNames.length);
    exampleNames.forEach((name, i) => expect(rows[i]?.startsWith(`${name} `), rows[i]).toBe(true));
  });

  it('without --json a failing batch entry goes to stderr and the table keeps the others', async ({ expect }) => {
    const dir = tempDir();
    writeIn(dir, 'in/1.json', strategyDoc({ name: 'good-one' }));
    writeIn(dir, 'in/2.json', strategyDoc({ name: 'bad-one', timeframe: '2h' }));
    const r = await runCli(['backtest', '--strategies', join(dir, 'in')]);
    expect(r.code, r.stderr).toBe(EXIT_USAGE);
    expect(r.stdout).toContain('good-one');
    expect(r.stdout).not.toContain('bad-one');
    expect(r.stderr).toContain('2.json');
    expect(r.stderr).toContain('timeframe');
  });

  it('without --json a single strategy prints a readable summary', async ({ expect }) => {
    const r = await runCli(['backtest', '--strategy', join(EXAMPLES, '04_donchian-breakout-1h.json')]);
    expect(r.code, r.stderr).toBe(EXIT_OK);
    expect(r.stdout).toContain('donchian-breakout-1h');
    expect(r.stdout).toContain('total return');
    expect(r.stdout).toMatch(/^BTCUSDT\s/m);
    expect(r.stdout).toMatch(/^ETHUSDT\s/m);
    expect(() => JSON.parse(r.stdout)).toThrow();
  });
});
