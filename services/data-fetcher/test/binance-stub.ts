import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubCandle {
  tsMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** One scripted answer, used instead of the candles for the next klines request. */
export interface ScriptedResponse {
  status: number;
  body: string;
}

/**
 * A local HTTP server speaking Binance's `GET /api/v3/klines` (12-field rows, prices as strings,
 * `startTime`/`limit` paging), so the real ccxt code runs against it with no internet.
 */
export class BinanceStub {
  readonly requests: URL[] = [];
  readonly script: ScriptedResponse[] = [];
  #server: http.Server;
  #candles: StubCandle[];

  private constructor(server: http.Server, candles: StubCandle[]) {
    this.#server = server;
    this.#candles = candles;
  }

  static async start(candles: StubCandle[]): Promise<BinanceStub> {
    let stub: BinanceStub | undefined;
    const server = http.createServer((req, res) => stub?.handle(req, res));
    stub = new BinanceStub(server, candles);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return stub;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/api/v3`;
  }

  /** ccxt options pointing binance at this server, with its market set (no exchangeInfo call). */
  ccxtOptions() {
    return {
      exchangeOptions: { urls: { api: { public: this.url } } },
      markets: ['BTCUSDT', 'ETHUSDT'].map((id) => ({ id, symbol: `${id.slice(0, 3)}/USDT`, base: id.slice(0, 3), quote: 'USDT', spot: true, type: 'spot' })),
    };
  }

  handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://stub');
    this.requests.push(url);
    const scripted = this.script.shift();
    if (scripted) {
      res.writeHead(scripted.status, { 'content-type': 'application/json' });
      res.end(scripted.body);
      return;
    }
    if (url.pathname !== '/api/v3/klines') {
      res.writeHead(404).end('{"code":-1,"msg":"not found"}');
      return;
    }
    const symbol = url.searchParams.get('symbol');
    if (symbol !== 'BTCUSDT' && symbol !== 'ETHUSDT') {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"code":-1121,"msg":"Invalid symbol."}');
      return;
    }
    const start = Number(url.searchParams.get('startTime') ?? 0);
    const limit = Math.min(1000, Number(url.searchParams.get('limit') ?? 500));
    const rows = this.#candles
      .filter((c) => c.tsMs >= start)
      .slice(0, limit)
      .map((c) => [c.tsMs, String(c.open), String(c.high), String(c.low), String(c.close), String(c.volume), c.tsMs + 299_999, '0', 1, '0', '0', '0']);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(rows));
  }

  /** Stops listening; safe to call twice. */
  close(): Promise<void> {
    if (!this.#server.listening) return Promise.resolve();
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** n valid 5m candles from `fromMs`, with a gentle walk so bars differ. */
export function makeCandles(fromMs: number, n: number, skip: (i: number) => boolean = () => false): StubCandle[] {
  const out: StubCandle[] = [];
  for (let i = 0; i < n; i++) {
    if (skip(i)) continue;
    const open = 100 + Math.sin(i / 10);
    const close = 100 + Math.sin((i + 1) / 10);
    out.push({ tsMs: fromMs + i * 300_000, open, high: Math.max(open, close) + 0.5, low: Math.min(open, close) - 0.5, close, volume: 10 + (i % 7) });
  }
  return out;
}
