import type { Db } from '@mastertrade/db';
import { InvalidInputError, TransientError, type FetchCandlesPayload, type JobContext } from '@mastertrade/queue';
import { fetchCandles, type FetchCandlesDeps } from '../fetch-candles.js';
import { InvalidResponseError, SourceRejectedError, SourceUnavailableError } from '../providers/provider.js';

/** What `fetch.candles` returns to BullMQ: a small summary; the candles themselves are in Postgres. */
export interface FetchCandlesJobResult {
  source: string;
  inserted: number;
  gaps: number;
  ms: number;
}

export interface FetchCandlesHandlerDeps {
  db: Db;
  ccxt?: FetchCandlesDeps['ccxt'];
  log?: FetchCandlesDeps['log'];
}

/**
 * The `fetch.candles` handler (STYLE P2/P5): takes the parsed payload, never a Job. An unreachable
 * exchange is transient (the job's backoff retries it); an unknown symbol or a malformed response
 * is invalid input (no retry: it would fail the same way).
 */
export function createFetchCandlesHandler(deps: FetchCandlesHandlerDeps) {
  return async (data: FetchCandlesPayload, ctx: Pick<JobContext, 'signal'>): Promise<FetchCandlesJobResult> => {
    try {
      const r = await fetchCandles(data, { db: deps.db, ccxt: deps.ccxt, log: deps.log, signal: ctx.signal });
      return { source: r.source, inserted: r.symbols.reduce((n, s) => n + s.inserted, 0), gaps: r.gaps, ms: r.ms };
    } catch (err) {
      if (err instanceof SourceUnavailableError) throw new TransientError(err.message, { cause: err });
      if (err instanceof SourceRejectedError || err instanceof InvalidResponseError) throw new InvalidInputError(err.message, { cause: err });
      throw err;
    }
  };
}
