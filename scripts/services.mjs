#!/usr/bin/env node
// `npm run services`: every service as its own Node process (what docker-compose runs as
// containers), with BACKTEST_WORKERS backtest-worker replicas (default 2). Logs stay JSON
// lines on stdout. SIGTERM/SIGINT stop them all (each shuts down cleanly; SIGKILL after 20 s).
// A service that crashes is restarted with backoff (at most 5 times a minute).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const workers = Number(process.env.BACKTEST_WORKERS ?? 2);
if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
  console.error(`BACKTEST_WORKERS must be an integer 1..64 (got ${process.env.BACKTEST_WORKERS})`);
  process.exit(2);
}
const only = process.env.SERVICES ? new Set(process.env.SERVICES.split(',')) : null;
const plan = [
  ['scheduler', 1],
  ['data-fetcher', 1],
  ['generator', 1],
  ['learner', 1],
  ['backtest-worker', workers],
  ['predictor', 1],
  ['paper-trader', 1],
  ['api', 1],
].filter(([name]) => (!only || only.has(name)) && existsSync(`${root}services/${name}/dist/main.js`));
if (plan.length === 0) {
  console.error('no built services found: run `npm run build` first');
  process.exit(2);
}

const children = new Map();
let stopping = false;
const restarts = new Map();

function start(name, replica) {
  const key = `${name}#${replica}`;
  const child = spawn(process.execPath, [`${root}services/${name}/dist/main.js`], {
    env: { ...process.env, SERVICE_REPLICA: String(replica) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.set(key, child);
  child.on('exit', (code, signal) => {
    children.delete(key);
    if (stopping) {
      if (children.size === 0) process.exit(0);
      return;
    }
    const now = Date.now();
    const recent = (restarts.get(key) ?? []).filter((t) => now - t < 60_000);
    if (recent.length >= 5) {
      console.error(JSON.stringify({ level: 50, service: 'services', msg: `${key} keeps crashing; not restarting`, code, signal }));
      return;
    }
    recent.push(now);
    restarts.set(key, recent);
    const delay = 500 * 2 ** recent.length;
    console.error(JSON.stringify({ level: 40, service: 'services', msg: `${key} exited; restarting in ${delay} ms`, code, signal }));
    setTimeout(() => !stopping && start(name, replica), delay);
  });
}

for (const [name, n] of plan) for (let i = 1; i <= n; i++) start(name, i);
console.error(JSON.stringify({ level: 30, service: 'services', msg: 'started', services: plan.map(([n, k]) => (k > 1 ? `${n} x${k}` : n)) }));

function stop(signal) {
  if (stopping) return;
  stopping = true;
  for (const c of children.values()) c.kill('SIGTERM');
  setTimeout(() => {
    for (const c of children.values()) c.kill('SIGKILL');
    process.exit(1);
  }, 20_000).unref();
  if (children.size === 0) process.exit(0);
  void signal;
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
