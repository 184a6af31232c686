import { parseStepMs, type Candle, allocSeries } from '@mastertrade/core';
import { lastCandleMs, saveCandles, type Db } from '@mastertrade/db';
import { CcxtProvider, type CcxtProviderOptions } from './providers/ccxt/provider.js';
import { EmbeddedProvider } from './providers/embedded/provider.js';
import { SourceRejectedError, type CandleProvider } from './providers/provider.js';

const DAY_MS = 86_400_000;

export interface FetchCandlesParams {
  /** `embedded` or a ccxt exchange id (`binance`, `bybit`, ...). */
  exchange: string;
  symbols: readonly string[];
  timeframe: string;
  /** How far back to start when nothing newer is stored. */
  days: number;
}

export interface FetchCandlesDeps {
  db: Db;
  /** Default: made from `exchange` (createProvider), closed afterwards. */
  provider?: CandleProvider;
  /** Options of the ccxt provider createProvider makes (tests point it at a local server). */
  ccxt?: Omit<CcxtProviderOptions, 'exchangeId'>;
  /** Per-request timeout, ms (default 10 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

/** Bars missing between two bars the source returned (or the last stored bar and the first new one). */
export interface Gap {
  symbol: string;
  /** Open time of the bar before the hole, ms. */
  afterMs: number;
  /** Open time of the bar after the hole, ms. */
  beforeMs: number;
  missingBars: number;
}

export interface SymbolFetch {
  symbol: string;
  /** Where the fetch started, ms (bar open time). */
  sinceMs: number;
  fetched: number;
  inserted: number;
  /** Bars that were already stored with other values (stored values kept). */
  conflicting: number;
  firstMs: number | null;
  lastMs: number | null;
  gaps: Gap[];
}

export interface FetchCandlesReport {
  source: string;
  timeframe: string;
  symbols: SymbolFetch[];
  gaps: number;
  ms: number;
}

/** `embedded` → the shipped set; anything else → that ccxt exchange. */
export function createProvider(exchange: string, ccxt: Omit<CcxtProviderOptions, 'exchangeId'> = {}): CandleProvider {
  return exchange === 'embedded' ? new EmbeddedProvider() : new CcxtProvider({ ...ccxt, exchangeId: exchange });
}

/**
 * Fills the database with closed candles: per symbol, from the bar after the last stored one
 * (or `days` back from now when nothing recent is stored), page by page, each page stored as it
 * arrives (a failure keeps what was stored, and the next run resumes there). Holes in the source's
 * data are reported in `gaps`, never filled in.
 */
export async function fetchCandles(params: FetchCandlesParams, deps: FetchCandlesDeps): Promise<FetchCandlesReport> {
  const started = Date.now();
  const stepMs = parseStepMs(params.timeframe);
  if (stepMs === null) throw new SourceRejectedError(`timeframe ${JSON.stringify(params.timeframe)} is not a step such as 5m or 1h`);
  const provider = deps.provider ?? createProvider(params.exchange, deps.ccxt);
  const log = deps.log ?? (() => {});
  const out: FetchCandlesReport = { source: provider.id, timeframe: params.timeframe, symbols: [], gaps: 0, ms: 0 };
  try {
    for (const symbol of params.symbols) {
      const windowStart = Math.floor((provider.nowMs() - params.days * DAY_MS) / stepMs) * stepMs;
      const last = await lastCandleMs(deps.db, symbol, params.timeframe);
      const continuing = last !== null && last + stepMs >= windowStart;
      const sinceMs = continuing ? last + stepMs : windowStart;
      const r: SymbolFetch = { symbol, sinceMs, fetched: 0, inserted: 0, conflicting: 0, firstMs: null, lastMs: null, gaps: [] };
      let prev = continuing ? last : null;
      log('fetch.symbol.start', { symbol, sinceMs, source: provider.id });
      for await (const page of provider.pages({ symbol, timeframe: params.timeframe, sinceMs, timeoutMs: deps.timeoutMs ?? 10_000, signal: deps.signal })) {
        for (const c of page) {
          if (prev !== null && c.tsMs - prev > stepMs) {
            const gap = { symbol, afterMs: prev, beforeMs: c.tsMs, missingBars: (c.tsMs - prev) / stepMs - 1 };
            r.gaps.push(gap);
            log('fetch.gap', { ...gap });
          }
          prev = c.tsMs;
        }
        const saved = await saveCandles(deps.db, toSeries(symbol, params.timeframe, stepMs, page));
        r.fetched += page.length;
        r.inserted += saved.inserted;
        r.conflicting += saved.conflicting;
        r.firstMs ??= (page[0] as Candle).tsMs;
        r.lastMs = (page[page.length - 1] as Candle).tsMs;
      }
      out.gaps += r.gaps.length;
      out.symbols.push(r);
      log('fetch.symbol.done', { ...r, gaps: r.gaps.length });
    }
  } finally {
    if (!deps.provider) await provider.close();
  }
  out.ms = Date.now() - started;
  return out;
}

function toSeries(symbol: string, timeframe: string, stepMs: number, page: readonly Candle[]) {
  const s = allocSeries(symbol, timeframe, stepMs, page.length);
  page.forEach((c, i) => {
    s.tsMs[i] = c.tsMs;
    s.open[i] = c.open;
    s.high[i] = c.high;
    s.low[i] = c.low;
    s.close[i] = c.close;
    s.volume[i] = c.volume;
  });
  return s;
}
