// Composition root of the data-fetcher service (STYLE P7). The queue wiring (worker on the `fetch`
// queue, shutdown order, health) is completed with packages/queue and packages/runtime; this stub
// loads config, opens the database and exposes the handler.
import { baseEnvSchema, loadConfig } from '@mastertrade/config';
import { openDb } from '@mastertrade/db';
import { pino } from 'pino';
import { createFetchCandlesHandler } from './processors/fetch-candles.js';

const config = loadConfig(baseEnvSchema);
const logger = pino({ name: 'data-fetcher', level: config.LOG_LEVEL });
const db = openDb({ url: config.DATABASE_URL, applicationName: 'data-fetcher' });
export const handlers = {
  'fetch.candles': createFetchCandlesHandler({ db, log: (event, fields) => logger.info({ event, ...fields }, event) }),
};
logger.info({ event: 'ready' }, 'data-fetcher handlers ready (worker wiring: see packages/queue)');
