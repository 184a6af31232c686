import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';

/**
 * A test's own redis-server (no persistence: a restart loses every queue, as a crashed
 * Redis without AOF would). Kill it and start it again on the same port with `restart()`.
 */
export class RedisServer {
  #child: ChildProcess | null = null;
  readonly output: string[] = [];

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(port?: number): Promise<RedisServer> {
    const s = new RedisServer(port ?? (await freePort()));
    await s.#spawn();
    return s;
  }

  async #spawn(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--maxmemory-policy', 'noeviction'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    child.stdout?.on('data', (b: Buffer) => this.output.push(b.toString()));
    child.stderr?.on('data', (b: Buffer) => this.output.push(b.toString()));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`redis-server on port ${this.port} exited with ${child.exitCode}:\n${this.output.join('')}`);
      const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      const ok = await probe
        .connect()
        .then(() => probe.ping())
        .then(() => true, () => false);
      probe.disconnect();
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} not ready after 10 s:\n${this.output.join('')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGKILL: no shutdown, no save; every key is gone. */
  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  /** A new, empty redis-server on the same port. */
  async restart(): Promise<void> {
    await this.kill();
    await this.#spawn();
  }

  async stop(): Promise<void> {
    await this.kill();
  }
}
