// Generates the Prisma client into packages/db/src/generated/prisma (gitignored; built at `npm run build`).
//
// Why the environment variable: `prisma generate` refuses to start unless it finds the native schema engine,
// although generating never runs it (Prisma 7's client is engine-free). On machines without internet the
// engine cannot be downloaded (npm also skips @prisma/engines' postinstall), so we point
// PRISMA_SCHEMA_ENGINE_BINARY at any existing file. Only when no engine is present: where a real one was
// downloaded (or the variable is already set) we leave things as Prisma expects.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const require = createRequire(import.meta.url);
const prismaCli = join(dirname(require.resolve('prisma/package.json')), 'build', 'index.js');

function engineInstalled() {
  const dirs = [];
  try {
    dirs.push(dirname(require.resolve('@prisma/engines/package.json')));
  } catch {
    // not installed as a separate package: only prisma's own folder can hold it
  }
  dirs.push(dirname(require.resolve('prisma/package.json')));
  return dirs.some((d) => existsSync(d) && readdirSync(d).some((f) => f.startsWith('schema-engine')));
}

const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY && !engineInstalled()) env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;

const r = spawnSync(process.execPath, [prismaCli, 'generate', '--config', join(root, 'prisma.config.ts')], {
  cwd: root,
  env: { ...env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
