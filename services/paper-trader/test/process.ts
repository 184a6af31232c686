import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** The built paper trader as users run it (`node services/paper-trader/dist/main.js`), configured by env; its JSON log lines kept. */
export class TraderProcess {
  readonly lines: { msg?: string; [k: string]: unknown }[] = [];
  readonly text: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    let rest = '';
    const onData = (b: Buffer) => {
      const parts = (rest + b.toString()).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) {
        if (!line) continue;
        this.text.push(line);
        try {
          this.lines.push(JSON.parse(line) as { msg?: string });
        } catch {
          // not JSON: kept in `text` only
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
  }

  static start(env: Record<string, string>): TraderProcess {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npx turbo run build --filter=@mastertrade/paper-trader...)`);
    const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    return new TraderProcess(child);
  }

  count(msg: string): number {
    return this.lines.filter((l) => l.msg === msg).length;
  }

  /** Resolves once `n` lines with message `msg` were logged; rejects if the process exits first or after `timeoutMs`. */
  async waitFor(msg: string, n = 1, timeoutMs = 240_000): Promise<{ msg?: string; [k: string]: unknown }> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    for (;;) {
      const hits = this.lines.filter((l) => l.msg === msg);
      if (hits.length >= n) return hits[n - 1] as { msg?: string };
      if (exited) throw new Error(`paper-trader exited before logging "${msg}" x${n}:\n${this.text.slice(-30).join('\n')}`);
      if (Date.now() > deadline) throw new Error(`no "${msg}" x${n} after ${timeoutMs} ms:\n${this.text.slice(-30).join('\n')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}
