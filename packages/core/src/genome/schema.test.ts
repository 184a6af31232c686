import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseStrategyJson, StrategyValidationError } from './validate.js';

const golden = fileURLToPath(new URL('../../../../../shared/golden/', import.meta.url));
const fields = JSON.parse(readFileSync(`${golden}bad-strategies.fields.json`, 'utf8')) as Record<string, string>;

describe('strategy document schema', () => {
  it('knows a field for every bad golden document', () => {
    expect(readdirSync(`${golden}bad-strategies`).sort()).toEqual(Object.keys(fields).sort());
  });

  for (const [file, field] of Object.entries(fields)) {
    it(`refuses ${file} naming ${field}`, () => {
      const text = readFileSync(`${golden}bad-strategies/${file}`, 'utf8');
      let error: unknown;
      try {
        parseStrategyJson(text);
      } catch (err) {
        error = err;
      }
      expect(error, `${file} must be refused`).toBeInstanceOf(StrategyValidationError);
      const e = error as StrategyValidationError;
      expect(e.problems.map((p) => p.field), e.message).toContain(field);
      expect(e.message).toContain(field);
    });
  }

  it('accepts every golden strategy', () => {
    for (const f of readdirSync(`${golden}strategies`)) {
      expect(() => parseStrategyJson(readFileSync(`${golden}strategies/${f}`, 'utf8')), f).not.toThrow();
    }
  });
});
