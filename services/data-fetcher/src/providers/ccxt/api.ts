import type { Exchange } from 'ccxt';
import { z } from 'zod';
import { InvalidResponseError, SourceRejectedError } from '../provider.js';
import { RAW_KLINE_SCHEMAS, ohlcvRowsSchema, type OhlcvRow } from './schema.js';

type Ccxt = typeof import('ccxt');

let ccxtModule: Promise<Ccxt> | null = null;

/** ccxt takes ~0.5-1 s to import: only the fetcher pays that, and only when it first needs it. */
export function loadCcxt(): Promise<Ccxt> {
  ccxtModule ??= import('ccxt').then((m) => ((m as unknown as { default?: Ccxt }).default ?? m) as Ccxt);
  return ccxtModule;
}

export interface CcxtApiOptions {
  exchangeId: string;
  /** Passed to the ccxt constructor (tests point `urls` at a local server). */
  exchangeOptions?: Record<string, unknown>;
  /** Markets to use instead of loading them from the exchange (ccxt `setMarkets`). */
  markets?: Record<string, unknown>[];
  timeoutMs: number;
}

/** Defaults per exchange: binance loads spot markets only (one request instead of three). */
const EXCHANGE_DEFAULTS: Readonly<Record<string, Record<string, unknown>>> = {
  binance: { options: { defaultType: 'spot', fetchMarkets: { types: ['spot'] } } },
};

/** One method per endpoint we use, over a ccxt exchange; responses zod-parsed. */
export class CcxtApi {
  readonly #ex: Exchange;
  readonly #rawSchema: z.ZodType | undefined;
  #marketsLoaded = false;

  private constructor(ex: Exchange, exchangeId: string) {
    this.#ex = ex;
    this.#rawSchema = RAW_KLINE_SCHEMAS[exchangeId];
  }

  static async create(opts: CcxtApiOptions): Promise<CcxtApi> {
    const ccxt = await loadCcxt();
    const Ctor = (ccxt as unknown as Record<string, unknown>)[opts.exchangeId];
    if (typeof Ctor !== 'function' || !(Ctor.prototype instanceof ccxt.Exchange)) {
      throw new SourceRejectedError(`unknown exchange ${JSON.stringify(opts.exchangeId)} (a ccxt exchange id such as binance, bybit or okx)`);
    }
    const defaults = EXCHANGE_DEFAULTS[opts.exchangeId] ?? {};
    const ex = new (Ctor as new (o: Record<string, unknown>) => Exchange)({
      ...defaults,
      ...opts.exchangeOptions,
      options: { ...(defaults['options'] as object | undefined), ...(opts.exchangeOptions?.['options'] as object | undefined) },
      // ccxt's own throttle keeps us within the exchange's documented request rate.
      enableRateLimit: true,
      timeout: opts.timeoutMs,
      enableLastJsonResponse: true,
      enableLastHttpResponse: true,
    });
    const api = new CcxtApi(ex, opts.exchangeId);
    if (opts.markets) {
      ex.setMarkets(opts.markets as never);
      api.#marketsLoaded = true;
    }
    return api;
  }

  get exchange(): Exchange {
    return this.#ex;
  }

  async loadMarkets(): Promise<void> {
    if (this.#marketsLoaded) return;
    await this.#ex.loadMarkets();
    this.#marketsLoaded = true;
  }

  /** The unified symbol (`BTC/USDT`) of an exchange id (`BTCUSDT`), spot first; unified symbols pass through. */
  unifiedSymbol(symbol: string): string | null {
    if (symbol.includes('/')) return this.#ex.markets?.[symbol] ? symbol : null;
    const byId = (this.#ex.markets_by_id?.[symbol] ?? []) as { symbol: string; spot?: boolean }[];
    return (byId.find((m) => m.spot) ?? byId[0])?.symbol ?? null;
  }

  /** GET klines: up to `limit` rows from `sinceMs`, as unified rows checked against the raw body. */
  async fetchOhlcv(symbol: string, timeframe: string, sinceMs: number, limit: number): Promise<OhlcvRow[]> {
    const rows: unknown = await this.#ex.fetchOHLCV(symbol, timeframe, sinceMs, limit);
    // ccxt turns a body that is not JSON, or JSON of the wrong shape, into an empty list: check the raw body.
    const raw: unknown = this.#ex.last_json_response;
    if (raw === undefined) {
      const text = String(this.#ex.last_http_response ?? '').slice(0, 120);
      throw new InvalidResponseError(`${this.#ex.id} klines for ${symbol}: the response is not JSON: ${JSON.stringify(text)}`);
    }
    if (this.#rawSchema) {
      const r = this.#rawSchema.safeParse(raw);
      if (!r.success) throw new InvalidResponseError(`${this.#ex.id} klines for ${symbol}: unexpected response shape: ${describe(r.error)}`);
    }
    const parsed = ohlcvRowsSchema.safeParse(rows);
    if (!parsed.success) throw new InvalidResponseError(`${this.#ex.id} klines for ${symbol}: unexpected OHLCV rows: ${describe(parsed.error)}`);
    return parsed.data;
  }

  async close(): Promise<void> {
    await this.#ex.close();
  }
}

function describe(err: z.ZodError): string {
  const i = err.issues[0];
  return i ? `${i.path.length ? `at [${i.path.join('][')}] ` : ''}${i.message}` : 'invalid';
}
