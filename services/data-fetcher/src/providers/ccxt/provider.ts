import { parseStepMs, type Candle } from '@mastertrade/core';
import { InvalidResponseError, SourceRejectedError, SourceUnavailableError, type CandleProvider, type FetchPageParams } from '../provider.js';
import { CcxtApi, loadCcxt, type CcxtApiOptions } from './api.js';
import { toCandles } from './mapper.js';

export interface RetryPolicy {
  /** Tries per request, the first included. */
  attempts: number;
  /** Backoff before retry k (1-based) is random in [0, min(maxDelayMs, baseDelayMs * 2^(k-1))] (full jitter). */
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * 4 tries with 0.5 s → 1 s → 2 s (jittered) between them: an exchange hiccup (one 429, a 502) is
 * ridden out in a few seconds, and an offline machine gives up within ~5 s instead of hanging a cycle.
 * Longer outages are the queue's business: `fetch.candles` retries the whole job with its own backoff.
 */
export const DEFAULT_RETRY: Readonly<RetryPolicy> = Object.freeze({ attempts: 4, baseDelayMs: 500, maxDelayMs: 8_000 });

export interface CcxtProviderOptions extends Omit<CcxtApiOptions, 'timeoutMs'> {
  /** Bars per request; binance allows 1000. */
  pageLimit?: number;
  retry?: RetryPolicy;
  /** Per-request timeout, ms (default 10 s). */
  timeoutMs?: number;
  /** Clock, for tests. */
  now?: () => number;
  /** Called before each retry, for logs and tests. */
  onRetry?: (info: { attempt: number; delayMs: number; error: Error }) => void;
}

/** Any ccxt exchange by id: paginated klines with retries on network errors, 429 and 5xx, fail-fast otherwise. */
export class CcxtProvider implements CandleProvider {
  readonly id: string;
  readonly healthSymbol = 'BTCUSDT';
  readonly #opts: CcxtProviderOptions;
  readonly #now: () => number;
  #api: Promise<CcxtApi> | null = null;

  constructor(opts: CcxtProviderOptions) {
    this.id = `ccxt:${opts.exchangeId}`;
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
  }

  nowMs(): number {
    return this.#now();
  }

  async *pages(p: FetchPageParams): AsyncIterable<Candle[]> {
    const stepMs = parseStepMs(p.timeframe);
    if (stepMs === null) throw new SourceRejectedError(`timeframe ${JSON.stringify(p.timeframe)} is not a step such as 5m or 1h`);
    const api = await this.#withRetry(p, 'load markets', async () => {
      const a = await this.#getApi(p.timeoutMs);
      await a.loadMarkets();
      return a;
    });
    const unified = api.unifiedSymbol(p.symbol);
    if (unified === null) throw new SourceRejectedError(`${api.exchange.id} has no market ${p.symbol}`);
    const limit = this.#opts.pageLimit ?? 1000;
    let since = p.sinceMs;
    for (;;) {
      p.signal?.throwIfAborted();
      const nowMs = this.#now();
      if (since + stepMs > nowMs) return;
      const rows = await this.#withRetry(p, `klines ${p.symbol} from ${new Date(since).toISOString()}`, () => api.fetchOhlcv(unified, p.timeframe, since, limit));
      const candles = toCandles(rows, { symbol: p.symbol, timeframe: p.timeframe, stepMs, sinceMs: since, nowMs });
      if (candles.length === 0) return;
      yield candles;
      since = (candles[candles.length - 1] as Candle).tsMs + stepMs;
    }
  }

  async close(): Promise<void> {
    const api = this.#api;
    this.#api = null;
    if (api) await (await api.catch(() => null))?.close();
  }

  #getApi(timeoutMs: number): Promise<CcxtApi> {
    this.#api ??= CcxtApi.create({ ...this.#opts, timeoutMs: this.#opts.timeoutMs ?? timeoutMs });
    this.#api.catch(() => {
      this.#api = null;
    });
    return this.#api;
  }

  async #withRetry<T>(p: FetchPageParams, what: string, fn: () => Promise<T>): Promise<T> {
    const policy = this.#opts.retry ?? DEFAULT_RETRY;
    const ccxt = await loadCcxt();
    for (let attempt = 1; ; attempt++) {
      p.signal?.throwIfAborted();
      try {
        return await fn();
      } catch (err) {
        if (err instanceof InvalidResponseError || err instanceof SourceRejectedError) throw err;
        const e = err instanceof Error ? err : new Error(String(err));
        const exchange = this.#opts.exchangeId;
        // NetworkError covers timeouts, DDoSProtection/RateLimitExceeded (418/429) and ExchangeNotAvailable (5xx).
        if (!(err instanceof ccxt.NetworkError)) {
          throw new SourceRejectedError(`${exchange} rejected ${what}: ${e.message}`, { cause: err });
        }
        // The exchange's host name does not resolve: this machine is offline (or the name is
        // wrong); trying again in a second will not change that, so say so at once.
        if (attempt >= policy.attempts || /\bENOTFOUND\b/.test(e.message)) {
          throw new SourceUnavailableError(`${exchange} unreachable for ${what} after ${attempt} tries: ${e.message}`, { cause: err });
        }
        const delayMs = Math.round(Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)));
        this.#opts.onRetry?.({ attempt, delayMs, error: e });
        await sleep(delayMs, p.signal);
      }
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
