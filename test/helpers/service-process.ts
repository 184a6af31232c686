import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type ServiceName = 'generator' | 'learner' | 'backtest-worker' | 'scheduler';

/** One line a service wrote: pino JSON on stdout (parsed), anything else kept as text. */
export interface LogLine {
  label: string;
  stream: 'stdout' | 'stderr';
  text: string;
  json: { msg?: string; level?: number; [k: string]: unknown } | null;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartServiceOptions {
  name: ServiceName;
  /** Distinguishes replicas in logs, e.g. `backtest-worker#2`. */
  label?: string;
  env: Record<string, string>;
  /** Every line also goes here (the test's shared buffer, printed when the test fails). */
  sink?: LogLine[];
  readyTimeoutMs?: number;
}

/**
 * A service run as users run it: `node services/<name>/dist/main.js`, configured only by
 * env. Resolves once the service logged `<name> started`; its JSON logs are kept per process.
 */
export class ServiceProcess {
  readonly lines: LogLine[] = [];
  readonly exited: Promise<ExitInfo>;
  /** Set when the test itself stopped or killed the process (any other exit is a crash). */
  stoppedByTest = false;
  #exit: ExitInfo | null = null;

  private constructor(
    readonly name: ServiceName,
    readonly label: string,
    private readonly child: ChildProcess,
    sink: LogLine[] | undefined,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        resolve(this.#exit);
      }),
    );
    for (const stream of ['stdout', 'stderr'] as const) {
      let rest = '';
      child[stream]?.on('data', (b: Buffer) => {
        const parts = (rest + b.toString()).split('\n');
        rest = parts.pop() ?? '';
        for (const text of parts) {
          if (!text) continue;
          let json: LogLine['json'] = null;
          try {
            json = JSON.parse(text) as LogLine['json'];
          } catch {
            json = null;
          }
          const line: LogLine = { label, stream, text, json };
          this.lines.push(line);
          sink?.push(line);
        }
      });
    }
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get exit(): ExitInfo | null {
    return this.#exit;
  }

  get running(): boolean {
    return this.#exit === null;
  }

  static async start(o: StartServiceOptions): Promise<ServiceProcess> {
    const main = `${ROOT}services/${o.name}/dist/main.js`;
    if (!existsSync(main)) throw new Error(`${main} is missing: build first (npx turbo run build)`);
    const child = spawn(process.execPath, [main], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const p = new ServiceProcess(o.name, o.label ?? o.name, child, o.sink);
    const ready = await Promise.race([
      p.waitForLog((l) => l.json?.msg === `${o.name} started`, o.readyTimeoutMs ?? 30_000).then(() => true),
      p.exited.then(() => false),
    ]);
    if (!ready) throw new Error(`${p.label} exited during start-up (${JSON.stringify(p.exit)}):\n${p.lines.map((l) => l.text).join('\n')}`);
    return p;
  }

  /** Log lines whose JSON message is `msg`. */
  messages(msg: string): NonNullable<LogLine['json']>[] {
    return this.lines.flatMap((l) => (l.json && l.json.msg === msg ? [l.json] : []));
  }

  /** Resolves with the first line (already written or to come) matching `pred`. */
  waitForLog(pred: (l: LogLine) => boolean, timeoutMs: number): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      let seen = 0;
      const tick = () => {
        for (; seen < this.lines.length; seen++) {
          const l = this.lines[seen] as LogLine;
          if (pred(l)) return resolve(l);
        }
        if (Date.now() > deadline) return reject(new Error(`${this.label}: no matching log line after ${timeoutMs} ms`));
        setTimeout(tick, 50);
      };
      tick();
    });
  }

  /** SIGTERM and wait for a clean exit; SIGKILL if it takes longer than `timeoutMs`. */
  async stop(timeoutMs = 30_000): Promise<ExitInfo> {
    this.stoppedByTest = true;
    if (this.#exit) return this.#exit;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const e = await this.exited;
    clearTimeout(timer);
    return e;
  }

  /** SIGKILL: the process dies wherever it is (mid-job, mid-write). */
  async kill(): Promise<ExitInfo> {
    this.stoppedByTest = true;
    if (this.#exit) return this.#exit;
    this.child.kill('SIGKILL');
    return this.exited;
  }
}
