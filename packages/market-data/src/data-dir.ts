import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { DataError, parseCandleCsv, parseStepMs, resample, timeframeMs, type CandleSeries, type Timeframe } from '@mastertrade/core';

const FILE_PATTERN = /^([A-Za-z0-9][A-Za-z0-9.-]*)_(\d+[mhd])\.csv(\.gz)?$/;

/**
 * The data folder itself is unusable (missing, not a folder, no candle files): a user
 * error, like a bad flag. `code` follows Node's fs codes where one fits.
 */
export class DataDirectoryError extends Error {
  override readonly name = 'DataDirectoryError';
  constructor(
    readonly dir: string,
    readonly code: 'ENOENT' | 'ENOTDIR' | 'ENODATA',
    detail: string,
  ) {
    super(`data directory ${dir}: ${detail}`);
  }
}

interface CandleFile {
  symbol: string;
  step: string;
  stepMs: number;
  path: string;
}

/** A folder of `SYMBOL_<step>.csv` (or `.csv.gz`) files; parsed lazily, each file once. */
export class CandleDirectory {
  readonly dir: string;
  readonly #files = new Map<string, CandleFile[]>();
  readonly #parsed = new Map<string, CandleSeries | DataError>();
  readonly #resampled = new Map<string, CandleSeries | DataError>();

  constructor(dir: string) {
    this.dir = resolve(dir);
    if (!existsSync(this.dir)) throw new DataDirectoryError(dir, 'ENOENT', 'no such directory');
    if (!statSync(this.dir).isDirectory()) throw new DataDirectoryError(dir, 'ENOTDIR', 'not a directory');
    for (const name of readdirSync(this.dir).sort()) {
      const m = FILE_PATTERN.exec(name);
      if (!m) continue;
      const stepMs = parseStepMs(m[2] as string);
      if (stepMs === null) continue;
      const symbol = m[1] as string;
      const list = this.#files.get(symbol) ?? [];
      // A plain .csv wins over a .csv.gz of the same step.
      if (!list.some((f) => f.stepMs === stepMs)) list.push({ symbol, step: m[2] as string, stepMs, path: join(this.dir, name) });
      this.#files.set(symbol, list);
    }
    if (this.#files.size === 0) throw new DataDirectoryError(dir, 'ENODATA', 'holds no SYMBOL_<step>.csv files');
  }

  get symbols(): string[] {
    return [...this.#files.keys()].sort();
  }

  /** Files by symbol, for listings. */
  files(): CandleFile[] {
    return [...this.#files.values()].flat();
  }

  /**
   * The symbol's candles at `timeframe`: the coarsest file whose step divides the timeframe,
   * resampled. A file coarser than the timeframe cannot serve it. Errors are cached too, so a
   * bad file is read once per process.
   */
  series(symbol: string, timeframe: Timeframe): CandleSeries {
    const key = `${symbol}|${timeframe}`;
    let s = this.#resampled.get(key);
    if (s === undefined) {
      try {
        s = this.#load(symbol, timeframe);
      } catch (err) {
        if (!(err instanceof DataError)) throw err;
        s = err;
      }
      this.#resampled.set(key, s);
    }
    if (s instanceof DataError) throw s;
    return s;
  }

  #load(symbol: string, timeframe: Timeframe): CandleSeries {
    const files = this.#files.get(symbol);
    const tfMs = timeframeMs(timeframe);
    if (!files) throw new DataError('empty', symbol, timeframe, null, `no candle file for ${symbol} in ${this.dir}`);
    const usable = files.filter((f) => f.stepMs <= tfMs && tfMs % f.stepMs === 0).sort((a, b) => b.stepMs - a.stepMs);
    const file = usable[0];
    if (!file) {
      const why = files
        .map((f) => `${basename(f.path)} (${f.stepMs > tfMs ? 'coarser than' : 'step does not divide'} ${timeframe})`)
        .join(', ');
      throw new DataError('too_coarse', symbol, timeframe, null, `no usable candle file in ${this.dir}: ${why}`);
    }
    return resample(this.#parse(file), timeframe, tfMs);
  }

  #parse(file: CandleFile): CandleSeries {
    const cached = this.#parsed.get(file.path);
    if (cached instanceof DataError) throw cached;
    if (cached) return cached;
    try {
      const raw = readFileSync(file.path);
      const text = (file.path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
      const s = parseCandleCsv(text, { symbol: file.symbol, timeframe: file.step, stepMs: file.stepMs });
      this.#parsed.set(file.path, s);
      return s;
    } catch (err) {
      if (err instanceof DataError) {
        const named = new DataError(err.kind, err.symbol, err.timeframe, err.tsMs, err.detail, err.line, file.path);
        this.#parsed.set(file.path, named);
        throw named;
      }
      throw err;
    }
  }
}

/** The folder of the embedded data set: real Bybit 5m candles for BTCUSDT, ETHUSDT, BNBUSDT (90 days). */
export const EMBEDDED_DATA_DIR = fileURLToPath(new URL('../data/', import.meta.url));

export const EMBEDDED_SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'] as const;

/** `embedded` (or undefined) means the shipped data set; anything else is a directory path. */
export function openCandleDirectory(dirOrEmbedded?: string): CandleDirectory {
  return new CandleDirectory(dirOrEmbedded === undefined || dirOrEmbedded === 'embedded' ? EMBEDDED_DATA_DIR : dirOrEmbedded);
}
