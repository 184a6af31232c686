import type { z } from 'zod';
import { strategySchema, type StrategyDocument } from './schema.js';

export interface FieldProblem {
  /** Dotted path with array indices, e.g. `long.entry[0].a.period`; `(root)` for the document. */
  field: string;
  message: string;
}

export class StrategyValidationError extends Error {
  override readonly name = 'StrategyValidationError';
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
  }
  /** The first field named, for callers that report one. */
  get field(): string {
    return this.problems[0]?.field ?? '(root)';
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? '(root)' : out;
}

export function problemsOf(error: z.ZodError): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({ field: formatPath([...issue.path, key]), message: 'unknown field' });
      }
    } else {
      problems.push({ field: formatPath(issue.path), message: issue.message });
    }
  }
  return problems;
}

/** Validates a parsed JSON value as a strategy document; throws StrategyValidationError naming every bad field. */
export function parseStrategy(value: unknown): StrategyDocument {
  const r = strategySchema.safeParse(value);
  if (!r.success) throw new StrategyValidationError(problemsOf(r.error));
  return r.data;
}

/** Parses JSON text, then validates it; invalid JSON is reported as the field `(invalid JSON)`. */
export function parseStrategyJson(text: string): StrategyDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new StrategyValidationError([{ field: '(invalid JSON)', message: (err as Error).message }]);
  }
  return parseStrategy(value);
}
