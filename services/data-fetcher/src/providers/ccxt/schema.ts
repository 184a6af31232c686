import { z } from 'zod';

const finite = z.number().finite();

/** ccxt's unified OHLCV row: [ts ms, open, high, low, close, volume], all numbers. */
export const ohlcvRowSchema = z.tuple([z.number().int().nonnegative(), finite, finite, finite, finite, finite]);
export const ohlcvRowsSchema = z.array(ohlcvRowSchema);
export type OhlcvRow = z.infer<typeof ohlcvRowSchema>;

const decimal = z.string().regex(/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/, 'must be a decimal string');

/**
 * Binance `GET /api/v3/klines` wire rows: [openTime, open, high, low, close, volume, closeTime,
 * quoteVolume, trades, takerBase, takerQuote, ignore]; prices as decimal strings. Extra fields allowed.
 */
export const binanceKlineSchema = z
  .tuple([z.number().int().nonnegative(), decimal, decimal, decimal, decimal, decimal, z.number().int()])
  .rest(z.unknown());
export const binanceKlinesSchema = z.array(binanceKlineSchema);

/** Raw body schemas of the exchanges whose kline wire format we know; others are checked on the unified rows only. */
export const RAW_KLINE_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  binance: binanceKlinesSchema,
};
