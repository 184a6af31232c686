// `npm run db:migrate`: creates the DATABASE_URL database if missing and applies pending migrations.
import { baseEnvSchema, loadConfig } from '@mastertrade/config';
import { redactUrl } from './database-url.js';
import { migrate } from './migrate.js';

const { DATABASE_URL } = loadConfig(baseEnvSchema);
try {
  const r = await migrate({ url: DATABASE_URL, log: (line) => process.stdout.write(`${line}\n`) });
  process.stdout.write(
    `${redactUrl(DATABASE_URL)}: ${r.createdDatabase ? 'database created; ' : ''}${r.applied.length} migration(s) applied, ${r.alreadyApplied.length} already applied\n`,
  );
} catch (err) {
  process.stderr.write(`db:migrate: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
