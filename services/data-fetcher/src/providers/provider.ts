import type { Candle } from '@mastertrade/core';

export interface FetchPageParams {
  /** Exchange symbol id as stored, e.g. `BTCUSDT`. */
  symbol: string;
  /** Step label, e.g. `5m`. */
  timeframe: string;
  /** First bar open time wanted, ms (inclusive). */
  sinceMs: number;
  /** Per-request timeout, ms. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * A source of closed candles (STYLE P10). Implementations page through their source in ts
 * order; the caller decides where to start and stores what it gets.
 */
export interface CandleProvider {
  /** `embedded` or `ccxt:<exchange id>`: recorded as the data source. */
  readonly id: string;
  /** A symbol the provider always serves, for health checks. */
  readonly healthSymbol: string;
  /**
   * Closed candles from `sinceMs` on, in ts order, one page per iteration; the last, still
   * open candle is never included. Ends when the source has nothing newer.
   */
  pages(params: FetchPageParams): AsyncIterable<Candle[]>;
  /** Open time of the newest bar the provider can have closed now, ms ("now" for historical sets). */
  nowMs(): number;
  close(): Promise<void>;
}

/** The source answered something we cannot use (not JSON, wrong shape, invalid bar): retrying won't help. */
export class InvalidResponseError extends Error {
  override readonly name = 'InvalidResponseError';
}

/** The source is unreachable (DNS, refused connection, repeated timeouts, 5xx after every retry). */
export class SourceUnavailableError extends Error {
  override readonly name = 'SourceUnavailableError';
}

/** Rejected by the source for a reason retrying won't fix (unknown symbol, bad request). */
export class SourceRejectedError extends Error {
  override readonly name = 'SourceRejectedError';
}
