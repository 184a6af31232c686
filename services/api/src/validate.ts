import { formatPath } from '@mastertrade/core';
import type { z } from 'zod';
import { HttpError, type FieldProblem } from './errors.js';

export type InputPart = 'body' | 'query' | 'params';

/** zod issues → one problem per field, unknown keys named one by one. */
function problems(error: z.ZodError, part: InputPart): FieldProblem[] {
  const out: FieldProblem[] = [];
  const name = (path: readonly PropertyKey[]) => (path.length === 0 ? `(${part})` : formatPath(path));
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ field: name([...issue.path, key]), message: 'unknown field' });
    } else {
      out.push({ field: name(issue.path), message: issue.message });
    }
  }
  return out;
}

/**
 * Parses one part of a request with its schema (the same schema the OpenAPI document shows).
 * Failure: 400 naming the first field, with every problem listed.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, part: InputPart): z.output<S> {
  const r = schema.safeParse(value ?? (part === 'body' ? undefined : {}));
  if (r.success) return r.data;
  const list = problems(r.error, part);
  const first = list[0] ?? { field: `(${part})`, message: 'invalid' };
  throw new HttpError(400, 'invalid_request', `${first.field}: ${first.message}`, { field: first.field, in: part, problems: list });
}
