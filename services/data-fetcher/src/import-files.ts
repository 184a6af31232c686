import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataError, parseCandleCsv, type CandleSeries } from '@mastertrade/core';
import { saveCandles, type Db, type SaveCandlesReport } from '@mastertrade/db';
import { EMBEDDED_DATA_DIR, openCandleDirectory } from '@mastertrade/market-data';

export interface FileImport {
  file: string;
  symbol: string;
  timeframe: string;
  bars: number;
  firstMs: number;
  lastMs: number;
  report: SaveCandlesReport;
}

export interface FileImportFailure {
  file: string;
  /** 1-based line of the first bad row, where there is one. */
  line: number | null;
  error: string;
}

export interface ImportReport {
  imported: FileImport[];
  failed: FileImportFailure[];
}

/**
 * Imports `SYMBOL_<step>.csv` (or `.csv.gz`) files: one file, or every such file of a folder.
 * Each file is parsed and checked whole with the core's rules before anything is written, then
 * stored in one transaction: a bad row stores nothing from its file and is reported with file and
 * line; the other files still import. Bars already stored are kept (see saveCandles), so
 * importing twice changes nothing.
 */
export async function importCandleFiles(db: Db, path: string): Promise<ImportReport> {
  const full = resolve(path);
  const isDir = statSync(full).isDirectory();
  const dir = openCandleDirectory(isDir ? full : dirname(full));
  const files = dir.files().filter((f) => isDir || f.path === full);
  if (files.length === 0) {
    throw new DataError('empty', basename(full), '?', null, 'file name must be SYMBOL_<step>.csv or .csv.gz, e.g. BTCUSDT_5m.csv', null, full);
  }
  const report: ImportReport = { imported: [], failed: [] };
  for (const f of files) {
    let series: CandleSeries;
    try {
      const raw = readFileSync(f.path);
      const text = (f.path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
      series = parseCandleCsv(text, { symbol: f.symbol, timeframe: f.step, stepMs: f.stepMs });
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      const named = new DataError(err.kind, err.symbol, err.timeframe, err.tsMs, err.detail, err.line, f.path);
      report.failed.push({ file: f.path, line: err.line, error: named.message });
      continue;
    }
    const saved = await saveCandles(db, series);
    report.imported.push({
      file: f.path,
      symbol: f.symbol,
      timeframe: f.step,
      bars: series.tsMs.length,
      firstMs: series.tsMs[0] as number,
      lastMs: series.tsMs[series.tsMs.length - 1] as number,
      report: saved,
    });
  }
  return report;
}

/** Stores the embedded set (90 days of 5m BTCUSDT, ETHUSDT, BNBUSDT): what the demo and offline cycles use. */
export function seedEmbedded(db: Db): Promise<ImportReport> {
  return importCandleFiles(db, EMBEDDED_DATA_DIR);
}
