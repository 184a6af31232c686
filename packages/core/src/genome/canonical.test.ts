import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../util/sha256.js';
import { canonicalJson, strategyHash } from './canonical.js';
import { parseStrategy } from './validate.js';

const DOC = {
  version: 1,
  name: 'rsi-dip-7f3a',
  type: 'mean_reversion',
  timeframe: '1h',
  symbols: ['BTCUSDT', 'ETHUSDT'],
  long: {
    entry: [{ a: { ind: 'rsi', period: 14 }, op: '<', b: 30 }],
    exit: [{ a: { ind: 'rsi', period: 14 }, op: '>', b: 55 }],
  },
  short: null,
  risk: { size: 0.5, leverage: 1, stopLoss: 0.03, takeProfit: 0.06, trailingStop: null },
};

/** The same object with its keys in reverse order at every level. */
function reverseKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reverseKeys);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverseKeys(x)]));
}

describe('canonicalJson', () => {
  it('sorts keys at every level, keeps array order, and has no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1, { z: 0, y: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,1,{"y":null,"z":0}]},"b":1}');
  });

  it('gives the same text whatever the key order', () => {
    expect(canonicalJson(reverseKeys(DOC))).toBe(canonicalJson(DOC));
    expect(JSON.stringify(reverseKeys(DOC)), 'the input orders really differ').not.toBe(JSON.stringify(DOC));
  });

  it('drops undefined properties and refuses non-finite numbers', () => {
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}');
    expect(() => canonicalJson({ a: NaN })).toThrow(TypeError);
    expect(() => canonicalJson([Infinity])).toThrow(TypeError);
  });

  it('escapes strings as JSON does (a lone surrogate becomes an ASCII escape, so hashes only see well-formed text)', () => {
    expect(canonicalJson({ s: 'a"b\\\n\ud800' })).toBe('{"s":"a\\"b\\\\\\n\\ud800"}');
  });
});

describe('strategyHash', () => {
  const doc = parseStrategy(DOC);

  it('is the SHA-256 of the canonical document without its name', () => {
    const { name: _name, ...rest } = doc;
    expect(strategyHash(doc)).toBe(sha256Hex(canonicalJson(rest)));
    expect(strategyHash(doc)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores the name and the key order', () => {
    expect(strategyHash({ ...doc, name: 'another-label' })).toBe(strategyHash(doc));
    expect(strategyHash(parseStrategy(reverseKeys(DOC)))).toBe(strategyHash(doc));
  });

  it('changes with anything that changes behaviour', () => {
    const base = strategyHash(doc);
    const variants = [
      { ...doc, timeframe: '4h' as const },
      { ...doc, symbols: ['ETHUSDT', 'BTCUSDT'] },
      { ...doc, risk: { ...doc.risk, stopLoss: 0.031 } },
      parseStrategy({ ...DOC, long: { ...DOC.long, exit: [] } }),
      parseStrategy({ ...DOC, long: { ...DOC.long, entry: [{ a: { ind: 'rsi', period: 15 }, op: '<', b: 30 }] } }),
    ];
    for (const v of variants) expect(strategyHash(v), JSON.stringify(v).slice(0, 80)).not.toBe(base);
  });
});
