export { fetchCandles, createProvider, type FetchCandlesParams, type FetchCandlesDeps, type FetchCandlesReport, type SymbolFetch, type Gap } from './fetch-candles.js';
export { importCandleFiles, seedEmbedded, type ImportReport, type FileImport, type FileImportFailure } from './import-files.js';
export { createFetchCandlesHandler, type FetchCandlesJobResult, type FetchCandlesHandlerDeps } from './processors/fetch-candles.js';
export { InvalidResponseError, SourceRejectedError, SourceUnavailableError, type CandleProvider, type FetchPageParams } from './providers/provider.js';
export { EmbeddedProvider } from './providers/embedded/provider.js';
export { CcxtProvider, DEFAULT_RETRY, type CcxtProviderOptions, type RetryPolicy } from './providers/ccxt/provider.js';
