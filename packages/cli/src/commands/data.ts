import { parseArgs } from 'node:util';
import { baseEnvSchema, loadConfig } from '@mastertrade/config';
import { DataError } from '@mastertrade/core';
import { EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, UsageError } from '../errors.js';
import { renderTable } from '../table.js';
import type { Db } from '@mastertrade/db';
import type { Output } from './backtest.js';

export const DATA_HELP = `Usage:
  mastertrade data import DIR|FILE [--json]    store SYMBOL_<step>.csv(.gz) files (a bad row stores nothing from its file)
  mastertrade data status [--symbol S] [--timeframe T] [--json]
                                               first, last, count and gaps per symbol and timeframe
  mastertrade data seed [--json]               store the embedded set (90 days of 5m BTCUSDT, ETHUSDT, BNBUSDT)
  mastertrade data fetch [--exchange binance] [--symbols BTCUSDT,ETHUSDT,BNBUSDT] [--timeframe 5m] [--days 90] [--json]
                                               fetch closed candles from a ccxt exchange (or "embedded"), resuming
                                               after the last stored bar; gaps in the exchange's data are reported

Uses DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/mastertrade) and applies pending
migrations first. Storing candles that are already stored changes nothing. Exit 2 on a bad flag or
file, 3 when the exchange cannot be reached (stored candles are kept; see data status / data seed).`;

/** The exchange could not be reached: not the user's input, not a bug. */
const EXIT_UNAVAILABLE = 3;

// Loaded on demand: the database client and the fetcher (which loads ccxt lazily itself) are not
// needed by `backtest`, and CLI start-up stays fast.
const loadDb = () => import('@mastertrade/db');
const loadFetcher = () => import('@mastertrade/data-fetcher');

export async function dataCommand(argv: string[], io: Output): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      json: { type: 'boolean', default: false },
      symbol: { type: 'string' },
      timeframe: { type: 'string' },
      exchange: { type: 'string', default: 'binance' },
      symbols: { type: 'string', default: 'BTCUSDT,ETHUSDT,BNBUSDT' },
      days: { type: 'string', default: '90' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help || sub === undefined || sub === 'help') {
    await io.out(`${DATA_HELP}\n`);
    return sub === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (!['import', 'status', 'seed', 'fetch'].includes(sub)) throw new UsageError(`unknown subcommand ${JSON.stringify(sub)} (import, status, seed or fetch)`);
  if (sub === 'import' ? positionals.length !== 1 : positionals.length !== 0) {
    throw new UsageError(sub === 'import' ? 'give one DIR or FILE to import' : `unexpected argument ${JSON.stringify(positionals[0])}`);
  }
  const { DATABASE_URL } = loadConfig(baseEnvSchema);
  const dbm = await loadDb();
  try {
    await dbm.migrate({ url: DATABASE_URL });
  } catch (err) {
    if (!(err instanceof dbm.MigrationError)) throw err;
    io.err(`mastertrade data: ${err.message}\n`);
    return EXIT_INTERNAL;
  }
  const db = dbm.openDb({ url: DATABASE_URL, applicationName: 'mastertrade-cli' });
  try {
    switch (sub) {
      case 'import':
        return await importFiles(db, positionals[0] as string, values.json, io);
      case 'seed':
        return await importFiles(db, null, values.json, io);
      case 'status':
        return await status(db, { symbol: values.symbol, timeframe: values.timeframe }, values.json, io);
      default:
        return await fetchCommand(db, values, io);
    }
  } finally {
    await db.close();
  }
}

async function importFiles(db: Db, path: string | null, json: boolean, io: Output): Promise<number> {
  const f = await loadFetcher();
  let report: Awaited<ReturnType<typeof f.importCandleFiles>>;
  try {
    report = path === null ? await f.seedEmbedded(db) : await f.importCandleFiles(db, path);
  } catch (err) {
    if (err instanceof DataError) throw new UsageError(err.message);
    throw err;
  }
  if (json) {
    for (const r of report.imported) await io.out(`${JSON.stringify({ file: r.file, symbol: r.symbol, timeframe: r.timeframe, bars: r.bars, ...r.report })}\n`);
    for (const r of report.failed) await io.out(`${JSON.stringify(r)}\n`);
  } else {
    const rows = report.imported.map((r) => [r.file, r.symbol, r.timeframe, r.bars, iso(r.firstMs), iso(r.lastMs), r.report.inserted, r.report.unchanged, r.report.conflicting]);
    if (rows.length > 0) await io.out(`${renderTable(['file', 'symbol', 'tf', 'bars', 'first', 'last', 'inserted', 'unchanged', 'conflicting'], rows)}\n`);
    for (const r of report.imported) {
      if (r.report.conflicting > 0) {
        io.err(`${r.file}: ${r.report.conflicting} bar(s) differ from the stored ones (kept the stored values), e.g. ${r.report.conflictSamples.map(iso).join(', ')}\n`);
      }
    }
    for (const r of report.failed) io.err(`${r.error}; nothing from this file was stored\n`);
  }
  return report.failed.length > 0 ? EXIT_USAGE : EXIT_OK;
}

async function status(db: Db, filter: { symbol?: string; timeframe?: string }, json: boolean, io: Output): Promise<number> {
  const { candleStatus } = await loadDb();
  const rows = await candleStatus(db, filter);
  if (json) {
    for (const r of rows) await io.out(`${JSON.stringify({ ...r, first: iso(r.firstMs), last: iso(r.lastMs) })}\n`);
    return EXIT_OK;
  }
  if (rows.length === 0) {
    await io.out('no candles stored (try: mastertrade data seed, or mastertrade data import DIR)\n');
    return EXIT_OK;
  }
  await io.out(`${renderTable(['symbol', 'tf', 'first', 'last', 'count', 'gaps', 'missing'], rows.map((r) => [r.symbol, r.timeframe, iso(r.firstMs), iso(r.lastMs), r.count, r.gaps, r.missingBars]))}\n`);
  return EXIT_OK;
}

async function fetchCommand(db: Db, v: { exchange: string; symbols: string; timeframe?: string; days: string; json: boolean }, io: Output): Promise<number> {
  const symbols = v.symbols.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (symbols.length === 0 || symbols.some((s) => !/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(s))) throw new UsageError('--symbols must be a comma-separated list such as BTCUSDT,ETHUSDT');
  if (!/^\d+$/.test(v.days) || Number(v.days) < 1 || Number(v.days) > 3650) throw new UsageError('--days must be a whole number from 1 to 3650');
  const timeframe = v.timeframe ?? '5m';
  if (!/^\d+[mhd]$/.test(timeframe)) throw new UsageError('--timeframe must be a step such as 5m, 1h or 1d');
  const f = await loadFetcher();
  try {
    const r = await f.fetchCandles({ exchange: v.exchange, symbols, timeframe, days: Number(v.days) }, { db });
    if (v.json) {
      await io.out(`${JSON.stringify(r)}\n`);
    } else {
      const rows = r.symbols.map((s) => [s.symbol, timeframe, s.fetched, s.inserted, s.firstMs === null ? '-' : iso(s.firstMs), s.lastMs === null ? '-' : iso(s.lastMs), s.gaps.length]);
      await io.out(`${r.source}: ${renderTable(['symbol', 'tf', 'fetched', 'inserted', 'first', 'last', 'gaps'], rows)}\n`);
      for (const g of r.symbols.flatMap((s) => s.gaps)) {
        io.err(`gap in ${g.symbol} ${timeframe}: ${g.missingBars} bar(s) missing between ${iso(g.afterMs)} and ${iso(g.beforeMs)} (not filled in)\n`);
      }
    }
    return EXIT_OK;
  } catch (err) {
    if (err instanceof f.SourceUnavailableError) {
      io.err(`mastertrade data fetch: ${err.message}\nNothing more was fetched; the candles already stored are kept (mastertrade data status). Offline, use them or the embedded set (mastertrade data seed).\n`);
      return EXIT_UNAVAILABLE;
    }
    if (err instanceof f.SourceRejectedError || err instanceof f.InvalidResponseError) throw new UsageError(err.message);
    throw err;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
