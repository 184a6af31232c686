import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const INFRA = `${ROOT}infra/`;

/** Runs a checker; a missing binary fails the test with the way to get it (never a skip). */
function run(bin: string, args: string[], cwd = ROOT): { status: number; out: string } {
  const r = spawnSync(bin, args, { cwd, encoding: 'utf8', env: { ...process.env, API_KEY: '' } });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(`${bin} is not installed: run scripts/ensure-infra.sh (apt-get install docker-compose prometheus)`);
  }
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

const composeText = readFileSync(`${ROOT}docker-compose.yml`, 'utf8');
/** Every service of the repository (a folder with a composition root). */
const SERVICES = readdirSync(`${ROOT}services`).filter((d) => existsSync(`${ROOT}services/${d}/src/main.ts`));
/** Every Node service docker-compose runs. */
const COMPOSE_NODE_SERVICES = [...composeText.matchAll(/command: \["node", "services\/([a-z-]+)\/dist\/main\.js"\]/g)].map((m) => m[1] as string);
const services = () => run('docker-compose', ['config', '--services']).out.trim().split('\n').sort();

/** The body of one service in docker-compose.yml (up to the next top-level service key). */
function serviceBlock(name: string): string {
  const m = new RegExp(`^  ${name}:\\n((?:    .*\\n|\\n)*)`, 'm').exec(composeText);
  if (!m) throw new Error(`no service ${name} in docker-compose.yml`);
  return m[1] ?? '';
}

describe('docker-compose.yml', () => {
  it('is valid (docker-compose config -q)', () => {
    const r = run('docker-compose', ['config', '-q']);
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
  });

  it('runs infrastructure, the migrate step, every service, Prometheus and Grafana', () => {
    const listed = services();
    for (const s of ['redis', 'postgres', 'migrate', 'prometheus', 'grafana']) expect(listed, s).toContain(s);
    for (const s of SERVICES) {
      expect(listed, `services/${s} runs in docker-compose`).toContain(s);
      expect(serviceBlock(s), s).toContain(`command: ["node", "services/${s}/dist/main.js"]`);
    }
  });

  it('keeps Redis from evicting jobs and persists it; PostgreSQL has a volume', () => {
    const redis = serviceBlock('redis');
    expect(redis).toMatch(/"--maxmemory-policy", "noeviction"/);
    expect(redis).toMatch(/"--appendonly", "yes"/);
    expect(redis).toMatch(/redis-data:\/data/);
    expect(serviceBlock('postgres')).toMatch(/postgres-data:\/var\/lib\/postgresql\/data/);
  });

  it('starts services only after a successful migration, and backtest workers can scale', () => {
    const config = run('docker-compose', ['config']).out;
    const resolved = (name: string) => new RegExp(`^  ${name}:\\n((?:    .*\\n)*)`, 'm').exec(config)?.[1] ?? '';
    for (const s of COMPOSE_NODE_SERVICES) {
      expect(resolved(s), `${s} waits for migrate`).toMatch(/migrate:\n\s+condition: service_completed_successfully/);
    }
    expect(resolved('migrate')).toMatch(/- db:migrate/);
    const worker = resolved('backtest-worker');
    expect(worker).toMatch(/replicas: \d+/);
    expect(worker, '--scale needs no fixed name').not.toMatch(/container_name/);
    expect(worker, '--scale needs no host port').not.toMatch(/ports:/);
  });

  it('builds every service from the one multi-stage Dockerfile in infra/', () => {
    const dockerfile = readFileSync(`${INFRA}Dockerfile`, 'utf8');
    expect(dockerfile.match(/^FROM /gm)?.length, 'multi-stage').toBeGreaterThanOrEqual(2);
    expect(composeText).toMatch(/dockerfile: infra\/Dockerfile/);
  });
});

describe('Prometheus', () => {
  it('promtool check config passes (rules included)', () => {
    const r = run('promtool', ['check', 'config', `${INFRA}prometheus/prometheus.yml`]);
    expect(r.status, r.out).toBe(0);
  });

  it('scrapes every service: the API on its port, the others on METRICS_PORT, workers by DNS', () => {
    const prom = readFileSync(`${INFRA}prometheus/prometheus.yml`, 'utf8');
    expect(prom).toContain('"api:3000"');
    expect(composeText).toMatch(/METRICS_PORT: "9464"/);
    expect(COMPOSE_NODE_SERVICES.length).toBeGreaterThanOrEqual(SERVICES.length);
    for (const s of COMPOSE_NODE_SERVICES.filter((d) => d !== 'api' && d !== 'backtest-worker')) expect(prom, s).toContain(`- ${s}:9464`);
    expect(prom).toMatch(/dns_sd_configs:\n\s+- names: \["backtest-worker"\]\n\s+type: A\n\s+port: 9464/);
  });
});

describe('Grafana provisioning', () => {
  const datasource = readFileSync(`${INFRA}grafana/provisioning/datasources/prometheus.yml`, 'utf8');
  const dashboard = JSON.parse(readFileSync(`${INFRA}grafana/dashboards/mastertrade.json`, 'utf8')) as {
    panels: { type: string; title: string; datasource?: { uid: string }; targets?: { expr: string }[] }[];
  };
  const panels = dashboard.panels.filter((p) => p.type !== 'row');

  it('points the dashboard at the provisioned datasource', () => {
    const uid = /uid: (\S+)/.exec(datasource)?.[1];
    expect(uid).toBe('prometheus');
    expect(datasource).toContain('url: http://prometheus:9090');
    for (const p of panels) expect(p.datasource?.uid, p.title).toBe(uid);
    expect(readFileSync(`${INFRA}grafana/provisioning/dashboards/mastertrade.yml`, 'utf8')).toContain('path: /var/lib/grafana/dashboards');
  });

  it('covers cycle progress and duration, pass rate, queue depth, job latency, workers and errors', () => {
    const titles = panels.map((p) => p.title.toLowerCase()).join(' | ');
    for (const topic of ['progress', 'duration', 'pass rate', 'queue depth', 'processing time', 'workers', 'failed']) expect(titles, topic).toContain(topic);
  });

  it('every query is valid PromQL (promtool) and uses metrics the code exports', () => {
    const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    const dir = mkdtempSync(join(tmpdir(), 'mt-promql-'));
    try {
      const rules = ['groups:', '  - name: dashboard', '    rules:', ...exprs.flatMap((e, i) => [`      - record: dashboard:expr_${i}`, `        expr: ${JSON.stringify(e)}`])];
      writeFileSync(join(dir, 'rules.yml'), `${rules.join('\n')}\n`);
      const r = run('promtool', ['check', 'rules', join(dir, 'rules.yml')]);
      expect(r.status, r.out).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const sources = [`${ROOT}services/api/src/metrics.ts`, `${ROOT}packages/runtime/src/metrics.ts`].map((f) => readFileSync(f, 'utf8')).join('\n');
    const alerts = readFileSync(`${INFRA}prometheus/alerts.yml`, 'utf8');
    const used = new Set([...`${exprs.join(' ')} ${alerts}`.matchAll(/\bmt_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, '')));
    expect(used.size).toBeGreaterThan(10);
    for (const name of used) expect(sources, `${name} is defined`).toContain(`'${name}'`);
  });
});

describe('the Docker build context', () => {
  it('leaves node_modules, build output and git out', () => {
    const ignore = readFileSync(`${ROOT}.dockerignore`, 'utf8');
    for (const p of ['**/node_modules', '**/dist', '.git']) expect(ignore).toContain(p);
    expect(execFileSync('git', ['check-ignore', '-q', 'services/api/test/artifacts/x.png'], { cwd: ROOT }).toString()).toBe('');
  });
});
