import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';
import { baseEnvSchema } from './schemas.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const example = readFileSync(join(root, '.env.example'), 'utf8');

/** KEY=value lines, and `# KEY=value` lines (documented defaults). */
function parse(text: string, includeCommented: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^(#\s*)?([A-Z][A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m && (includeCommented || !m[1])) out[m[2] as string] = m[3] as string;
  }
  return out;
}

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'generated') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts') && p.includes(`${'/src/'}`)) out.push(p);
  }
  return out;
}

describe('.env.example', () => {
  it('loads as a valid environment', () => {
    const env = loadConfig(baseEnvSchema, parse(example, false));
    expect(env.QUEUE_PREFIX).toBe('mt');
  });

  it('names every variable an env schema in the code declares', () => {
    const documented = new Set(Object.keys(parse(example, true)));
    const declared = new Set<string>();
    for (const file of [...sources(join(root, 'packages')), ...sources(join(root, 'services'))]) {
      for (const m of readFileSync(file, 'utf8').matchAll(/^\s+([A-Z][A-Z0-9_]{3,}):\s*(z\.|num\b|port\b|url\(|envBoolean)/gm)) declared.add(m[1] as string);
    }
    expect(declared.size, 'found the env schemas').toBeGreaterThan(10);
    const missing = [...declared].filter((k) => !documented.has(k));
    expect(missing, `.env.example lacks ${missing.join(', ')}`).toEqual([]);
  });
});
