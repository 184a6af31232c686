import { createServer, type Server } from 'node:http';
import { Registry, collectDefaultMetrics, Counter, Gauge, Histogram } from 'prom-client';

export { Registry, Counter, Gauge, Histogram };

/** A registry with the default process metrics, labelled with the service name. */
export function createRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Job duration and outcome per queue and job name (STYLE P16). */
export function jobMetrics(registry: Registry) {
  return {
    duration: new Histogram({
      name: 'mt_job_duration_seconds',
      help: 'Job processing time by queue, job name and outcome',
      labelNames: ['queue', 'job', 'outcome'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    outcomes: new Counter({
      name: 'mt_jobs_total',
      help: 'Jobs finished by queue, job name and outcome (completed|failed|skipped)',
      labelNames: ['queue', 'job', 'outcome'] as const,
      registers: [registry],
    }),
  };
}

export type JobMetrics = ReturnType<typeof jobMetrics>;

/**
 * A tiny HTTP server for a worker service: GET /metrics (Prometheus text), GET /healthz
 * (process up), GET /readyz (the given check). Port 0 picks a free port.
 */
export async function startOpsServer(registry: Registry, port: number, ready: () => Promise<{ ok: boolean; detail: unknown }>): Promise<Server> {
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/metrics') {
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(text);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
    } else if (url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    } else if (url === '/readyz') {
      ready().then(
        (r) => {
          res.writeHead(r.ok ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify(r));
        },
        (err: Error) => {
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ok: false, detail: err.message }));
        },
      );
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', () => resolve());
  });
  return server;
}
