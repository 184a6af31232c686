import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.js';

export { PrismaClient };

/** A connection pool shared by the Prisma client and the raw `pg` paths (bulk candle and trade I/O). */
export interface Db {
  readonly prisma: PrismaClient;
  readonly pool: pg.Pool;
  /** Disconnects Prisma and ends the pool; safe to call more than once. */
  close(): Promise<void>;
}

export interface OpenDbOptions {
  url: string;
  /**
   * Pool size. Keep concurrency × replicas within the server's max_connections (STYLE.md §3.12);
   * 5 suits one service process on this 2-core machine.
   */
  maxConnections?: number;
  /** Name shown in pg_stat_activity, e.g. the service name. */
  applicationName?: string;
}

/**
 * Opens one pg pool and a Prisma 7 client (driver adapter, no native engine) on top of it.
 * Nothing connects until the first query.
 */
export function openDb(opts: OpenDbOptions): Db {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.maxConnections ?? 5,
    application_name: opts.applicationName ?? 'mastertrade',
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  let closing: Promise<void> | null = null;
  return {
    prisma,
    pool,
    close() {
      closing ??= (async () => {
        try {
          await prisma.$disconnect();
        } finally {
          await pool.end();
        }
      })();
      return closing;
    },
  };
}
