/** Spawns a built service (`node services/<name>/dist/main.js`) for the cycle benchmark; plain Node. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** CPU seconds (user + system, all threads) a live process has used so far; null where /proc is missing. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5), counted after the command name (field 2).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** CPU seconds the whole machine has been busy (every core: /proc/stat minus idle and iowait); null where /proc is missing. */
export function machineCpuSeconds() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return (total - f[3] - f[4]) / 100;
  } catch {
    return null;
  }
}

/** Extra node options for every service process, e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile them. */
const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

export function startService(root, name, env, label = name) {
  const main = `${root}/services/${name}/dist/main.js`;
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npx turbo run build\` first`);
  const child = spawn(process.execPath, [...nodeArgs, main], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  let exit = null;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exit = { code, signal }))));
  let rest = '';
  const collect = (b) => {
    const parts = (rest + b.toString()).split('\n');
    rest = parts.pop() ?? '';
    for (const p of parts) if (p) lines.push(p);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const ready = new Promise((resolve, reject) => {
    const deadline = Date.now() + 60_000;
    const tick = () => {
      if (lines.some((l) => l.includes(`"msg":"${name} started"`))) return resolve();
      if (exit) return reject(new Error(`${label} exited during start-up ${JSON.stringify(exit)}:\n${lines.join('\n')}`));
      if (Date.now() > deadline) return reject(new Error(`${label} not started after 60 s`));
      setTimeout(tick, 50);
    };
    tick();
  });
  return {
    label,
    lines,
    cpuSeconds: () => cpuSeconds(child.pid),
    ready,
    get running() {
      return exit === null;
    },
    async stop(timeoutMs = 30_000) {
      // BENCH_SERVICE_LOG_DIR=DIR keeps each service's output (stdout and stderr) in DIR/<label>-<pid>.log.
      if (process.env.BENCH_SERVICE_LOG_DIR) {
        writeFileSync(`${process.env.BENCH_SERVICE_LOG_DIR}/${label}-${child.pid}.log`, `${lines.join('\n')}\n`);
      }
      if (exit) return exit;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const e = await exited;
      clearTimeout(t);
      return e;
    },
  };
}
