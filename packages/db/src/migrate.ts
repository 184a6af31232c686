import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { databaseName, quoteIdent, redactUrl, withDatabase } from './database-url.js';

/** The repository's prisma/migrations folder (same depth from src/ and dist/). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../prisma/migrations/', import.meta.url));

/** Any fixed number: the advisory lock that serialises concurrent migrators on one database. */
const MIGRATION_LOCK_KEY = 72_616_001;

/** Prisma's own history table, created exactly as the schema engine does on PostgreSQL. */
const HISTORY_DDL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface Migration {
  /** Folder name, `<timestamp>_<verb>_<thing>`. */
  name: string;
  sql: string;
  /** SHA-256 hex of the script with CRLF line endings normalised, as Prisma's schema engine computes it. */
  checksum: string;
}

export interface MigrateOptions {
  url: string;
  migrationsDir?: string;
  /** Progress lines (one per applied migration); default: silent. */
  log?: (line: string) => void;
}

export interface MigrateReport {
  database: string;
  createdDatabase: boolean;
  applied: string[];
  alreadyApplied: string[];
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** The migrations of a folder in name order (timestamps first, so this is chronological). */
export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  if (!existsSync(dir)) throw new MigrationError(`migrations folder ${dir} does not exist`);
  return readdirSync(dir)
    .filter((n) => statSync(join(dir, n)).isDirectory())
    .sort()
    .map((name) => {
      const file = join(dir, name, 'migration.sql');
      if (!existsSync(file)) throw new MigrationError(`migration ${name} has no migration.sql`);
      const sql = readFileSync(file, 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql.replaceAll('\r\n', '\n')).digest('hex') };
    });
}

/**
 * Creates the database if missing, then applies pending migrations, each in its own transaction,
 * under an advisory lock, recording them in `_prisma_migrations` as `prisma migrate deploy` would
 * (so a machine with Prisma's engine sees the same history). Idempotent; safe to run concurrently.
 * An applied migration whose file changed since is an error: migrations are append-only.
 */
export async function migrate(opts: MigrateOptions): Promise<MigrateReport> {
  const log = opts.log ?? (() => {});
  const migrations = readMigrations(opts.migrationsDir);
  const createdDatabase = await ensureDatabase(opts.url);
  const client = new pg.Client({ connectionString: opts.url, application_name: 'mastertrade-migrate' });
  await client.connect();
  const report: MigrateReport = { database: databaseName(opts.url), createdDatabase, applied: [], alreadyApplied: [] };
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(HISTORY_DDL);
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
    );
    const done = new Map(rows.map((r) => [r.migration_name, r]));
    for (const m of migrations) {
      const prev = done.get(m.name);
      if (prev) {
        if (prev.finished_at === null) {
          throw new MigrationError(`migration ${m.name} was started but never finished in ${report.database}; check the schema by hand, then set its rolled_back_at in _prisma_migrations`);
        }
        if (prev.checksum !== m.checksum) {
          throw new MigrationError(`migration ${m.name} was changed after it was applied to ${report.database}; add a new migration instead`);
        }
        report.alreadyApplied.push(m.name);
        continue;
      }
      await applyOne(client, m);
      report.applied.push(m.name);
      log(`applied ${m.name}`);
    }
    return report;
  } finally {
    await client.query('SELECT pg_advisory_unlock_all()').catch(() => {});
    await client.end();
  }
}

async function applyOne(client: pg.Client, m: Migration): Promise<void> {
  const started = new Date();
  try {
    await client.query('BEGIN');
    await client.query(m.sql);
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, $4, now(), 1)`,
      [randomUUID(), m.checksum, m.name, started],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw new MigrationError(`migration ${m.name} failed and was rolled back: ${(err as Error).message}`, { cause: err });
  }
}

/** Creates the URL's database through the `postgres` maintenance database when it does not exist. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const name = databaseName(url);
  const admin = new pg.Client({ connectionString: withDatabase(url, 'postgres'), application_name: 'mastertrade-migrate' });
  try {
    await admin.connect();
  } catch (err) {
    throw new MigrationError(`cannot reach PostgreSQL at ${redactUrl(url)}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return false;
    try {
      await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
      return true;
    } catch (err) {
      // Two migrators racing to create it: the loser sees duplicate_database (42P04), which is fine.
      if ((err as { code?: string }).code === '42P04') return false;
      throw err;
    }
  } finally {
    await admin.end();
  }
}
