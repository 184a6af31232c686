/**
 * Serialized read responses kept for a short time (API_SNAPSHOT_TTL_MS, default 1 s), keyed by
 * the route and its validated query. Dashboards, the page and scrapers ask the same questions
 * many times a second while the answers change per backtest batch; one query and one
 * encoded JSON body then serve them all. At most one computation per key is in flight. The
 * API's own writes clear it, so a client reads what it just changed. TTL 0 disables it.
 */
export class ReadCache {
  readonly #entries = new Map<string, { at: number; body: Promise<Buffer> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly maxEntries = 1000,
  ) {}

  /** The JSON body for `key`, computed by `produce` when absent or older than the TTL. */
  json(key: string, produce: () => Promise<unknown>): Promise<Buffer> {
    const encode = (v: unknown) => Buffer.from(JSON.stringify(v));
    if (this.ttlMs <= 0) return produce().then(encode);
    const t = this.now();
    const hit = this.#entries.get(key);
    if (hit && t - hit.at < this.ttlMs) return hit.body;
    const body = produce().then(encode);
    // A failure is not cached: the next request tries again.
    body.catch(() => {
      if (this.#entries.get(key)?.body === body) this.#entries.delete(key);
    });
    this.#entries.delete(key);
    this.#entries.set(key, { at: t, body });
    if (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
    return body;
  }

  clear(): void {
    this.#entries.clear();
  }
}
