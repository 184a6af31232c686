import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

/** Compares digests, so neither the key's content nor its length leaks through timing. */
function sameKey(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The key a request carries: `x-api-key`, or the password of HTTP Basic auth (browsers, Bull Board). */
function presentedKey(header: string | string[] | undefined, authorization: string | undefined): string | null {
  if (typeof header === 'string' && header.length > 0) return header;
  if (authorization?.startsWith('Basic ')) {
    const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : null;
  }
  return null;
}

export interface RequireKeyOptions {
  /** Keys that open the route; none configured = the route is closed (401), never open. */
  keys: readonly (string | undefined)[];
  /** Ask browsers for credentials (Bull Board is a page, not an API call). */
  basicRealm?: string;
}

export function requireKey(o: RequireKeyOptions): RequestHandler {
  const keys = o.keys.filter((k): k is string => typeof k === 'string' && k.length > 0);
  return (req, res, next) => {
    const given = presentedKey(req.headers['x-api-key'], req.headers.authorization);
    // Every configured key is compared (no early exit), so the time does not say which one matched.
    let ok = false;
    for (const k of keys) ok = sameKey(given ?? '', k) || ok;
    if (given !== null && ok) return next();
    if (o.basicRealm) res.setHeader('WWW-Authenticate', `Basic realm="${o.basicRealm}", charset="UTF-8"`);
    const message = keys.length === 0 ? 'this route needs API_KEY, which the server does not have configured' : given === null ? 'missing x-api-key header' : 'wrong API key';
    res.status(401).json({ error: 'unauthorized', message });
  };
}
