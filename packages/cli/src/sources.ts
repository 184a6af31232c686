import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { UsageError } from './errors.js';

/** One strategy document's text and where it came from. */
export interface StrategySource {
  /** File name (folder input) or null (JSON-lines input). */
  file: string | null;
  /** 1-based line of a JSON-lines input, or null. */
  line: number | null;
  text: string;
}

/** Where a source came from, as a result error line names it. */
export function sourceLabel(s: StrategySource): { file: string } | { line: number } {
  return s.line !== null ? { line: s.line } : { file: s.file ?? '?' };
}

/**
 * One strategy document: the whole file, which may be pretty-printed over many lines
 * (`--strategy FILE.json`).
 */
export function readStrategyFile(path: string): StrategySource {
  if (!existsSync(path)) throw new UsageError(`${path}: no such file`);
  if (statSync(path).isDirectory()) throw new UsageError(`${path}: is a folder (use --strategies for a folder of documents)`);
  const text = readFileSync(path, 'utf8');
  if (text.trim() === '') throw new UsageError(`${path}: empty file`);
  return { file: basename(path), line: null, text };
}

/**
 * Streams strategy documents from a folder of `.json` files (file-name order) or a
 * JSON-lines file (blank lines skipped), one at a time so memory stays flat. A single
 * `.json` file is one document, as in a folder.
 */
export async function* readStrategies(path: string): AsyncGenerator<StrategySource> {
  if (!existsSync(path)) throw new UsageError(`${path}: no such file or directory`);
  if (statSync(path).isDirectory()) {
    const names = readdirSync(path)
      .filter((n) => n.endsWith('.json') && statSync(join(path, n)).isFile())
      .sort();
    if (names.length === 0) throw new UsageError(`${path}: no .json strategy documents in this folder`);
    for (const name of names) yield { file: name, line: null, text: readFileSync(join(path, name), 'utf8') };
    return;
  }
  if (path.endsWith('.json')) {
    yield { file: basename(path), line: null, text: readFileSync(path, 'utf8') };
    return;
  }
  const rl = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let line = 0;
  let documents = 0;
  for await (const text of rl) {
    line++;
    if (text.trim() === '') continue;
    documents++;
    yield { file: basename(path), line, text };
  }
  if (documents === 0) throw new UsageError(`${path}: no strategy documents in this file`);
}
