import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * A service run as users run it (`node services/<name>/dist/main.js`, configured by env only),
 * its JSON log lines kept. `start` resolves once it logged `<name> started`.
 */
export class Service {
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        resolve(this.#exit);
      }),
    );
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream?.on('data', (b: Buffer) => {
        const parts = (rest + b.toString()).split('\n');
        rest = parts.pop() ?? '';
        this.lines.push(...parts.filter(Boolean));
      });
    }
  }

  get running(): boolean {
    return this.#exit === null;
  }

  static async start(name: string, env: Record<string, string>, readyTimeoutMs = 30_000): Promise<Service> {
    const main = `${ROOT}services/${name}/dist/main.js`;
    if (!existsSync(main)) throw new Error(`${main} is missing: build first (npx turbo run build)`);
    const child = spawn(process.execPath, [main], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const s = new Service(name, child);
    const deadline = Date.now() + readyTimeoutMs;
    while (!s.lines.some((l) => l.includes(`"msg":"${name} started"`))) {
      if (!s.running) throw new Error(`${name} exited during start-up (${JSON.stringify(s.#exit)}):\n${s.lines.join('\n')}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${name} did not start within ${readyTimeoutMs} ms:\n${s.lines.join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return s;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it exited. */
  async stop(graceMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      const exit = await this.exited;
      clearTimeout(timer);
      return exit;
    }
    return this.exited;
  }
}

/** A TCP port free right now (for a child that must be told its port). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it returns a value (not undefined) or the time is up. */
export async function eventually<T>(probe: () => Promise<T | undefined>, o: { timeoutMs: number; what: string; intervalMs?: number }): Promise<T> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${o.timeoutMs} ms waiting for ${o.what}`);
    await new Promise((r) => setTimeout(r, o.intervalMs ?? 250));
  }
}
