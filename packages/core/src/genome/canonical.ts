import { sha256Hex } from '../util/sha256.js';
import type { StrategyDocument } from './schema.js';

/** JSON with object keys sorted at every level, no whitespace: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/**
 * The strategy's identity for ids and dedupe: SHA-256 of the canonical JSON of the validated
 * document without its `name` (a label, not behaviour). Two documents that trade identically
 * by construction (same rules, risk, symbols, timeframe) share a hash.
 */
export function strategyHash(doc: StrategyDocument): string {
  const { name: _name, ...rules } = doc;
  return sha256Hex(canonicalJson(rules));
}
