import { randomBytes } from 'node:crypto';
import { baseEnvSchema, loadConfig } from '@mastertrade/config';
import pg from 'pg';
import { quoteIdent, withDatabase } from './database-url.js';
import { migrate } from './migrate.js';

export interface TestDatabase {
  /** Connection URL of the new, migrated database. */
  url: string;
  /** Its name, `mt_test_<hex>`. */
  name: string;
  /** Drops it if it exists (terminating leftover connections first). Safe to call twice. */
  drop(): Promise<void>;
}

export interface CreateTestDatabaseOptions {
  /**
   * Any URL of the server to use; only its host, port and credentials matter.
   * Default: `DATABASE_URL` from the environment through packages/config (its default is the local server).
   */
  serverUrl?: string;
  /** Leave the database empty (no migrations), e.g. to test migrations themselves. */
  migrate?: boolean;
}

/**
 * A fresh, uniquely named, migrated database for one test file:
 *
 * ```ts
 * let tdb: TestDatabase;
 * beforeAll(async () => { tdb = await createTestDatabase(); });
 * afterAll(async () => { await tdb?.drop(); });
 * ```
 *
 * Files run in parallel and again without seeing each other's rows. Close your own pools or
 * Prisma clients before `drop()`; it terminates any connection left behind anyway.
 */
export async function createTestDatabase(opts: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  const serverUrl = opts.serverUrl ?? loadConfig(baseEnvSchema).DATABASE_URL;
  const name = `mt_test_${randomBytes(6).toString('hex')}`;
  const url = withDatabase(serverUrl, name);
  const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  } finally {
    await admin.end();
  }
  const drop = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
    await c.connect();
    try {
      // WITH (FORCE) (PostgreSQL 13+) terminates connections a test forgot to close.
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    } finally {
      await c.end();
    }
  };
  if (opts.migrate !== false) {
    try {
      await migrate({ url });
    } catch (err) {
      await drop();
      throw err;
    }
  }
  return { url, name, drop };
}
