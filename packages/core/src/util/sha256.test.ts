import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './sha256.js';

const nodeSha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

describe('sha256Hex', () => {
  it('matches the FIPS 180-4 test vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('agrees with node:crypto on UTF-8 text: accents, CJK, emoji (surrogate pairs), JSON', () => {
    const samples = ['é', 'naïve café', '中文策略', '😀🚀', 'a😀b', 'Ω≈ç√∫', '{"name":"rsi-dip","symbols":["BTCUSDT"]}', '\u0000\u007f\u0080\u07ff\u0800\uffff'];
    for (const s of samples) expect(sha256Hex(s), JSON.stringify(s)).toBe(nodeSha256(s));
  });

  it('agrees with node:crypto around the 64-byte block and 56-byte padding boundaries', () => {
    for (let n = 50; n <= 130; n++) {
      const ascii = 'x'.repeat(n);
      expect(sha256Hex(ascii), `${n} ASCII bytes`).toBe(nodeSha256(ascii));
      const multi = 'é'.repeat(n); // 2 bytes each
      expect(sha256Hex(multi), `${2 * n} UTF-8 bytes`).toBe(nodeSha256(multi));
    }
  });
});
