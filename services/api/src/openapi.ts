import { z } from 'zod';
import {
  backtestAccepted,
  backtestBody,
  backtestParams,
  cycleParams,
  emptyQuery,
  errorResponse,
  generateAccepted,
  generateBody,
  learningStatsQuery,
  listCyclesQuery,
  listStrategiesQuery,
  setStatusBody,
  strategyDetailQuery,
  strategyParams,
} from './schemas.js';

type Json = Record<string, unknown>;
type Access = 'write' | 'read' | 'open';

interface Operation {
  method: 'get' | 'post';
  path: string;
  summary: string;
  access: Access;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** status → description, with a schema where one exists. */
  responses: Record<number, string | { description: string; schema: z.ZodType }>;
}

/** Every route: the validation schemas are the same objects the handlers parse with. */
const OPERATIONS: Operation[] = [
  { method: 'post', path: '/api/strategies/generate', summary: 'Enqueue a cycle of N strategies (answers at once; the work runs on the workers)', access: 'write', query: emptyQuery, body: generateBody, responses: { 202: { description: 'enqueued', schema: generateAccepted } } },
  { method: 'get', path: '/api/strategies/pipeline/status', summary: 'Pipeline status: running, cycle progress and ETA, last/next generation, schedule, learning stats, queues', access: 'read', query: emptyQuery, responses: { 200: 'status' } },
  { method: 'get', path: '/api/strategies/learning/stats', summary: 'Latest learning insights (rankings, parameter ranges, correlations, quantiles, patterns) and their history', access: 'read', query: learningStatsQuery, responses: { 200: 'insights' } },
  { method: 'get', path: '/api/strategies', summary: 'Strategies with headline metrics, keyset-paginated', access: 'read', query: listStrategiesQuery, responses: { 200: '{items, nextCursor}' } },
  { method: 'get', path: '/api/strategies/{id}', summary: 'One strategy: document, results, trades and equity curve', access: 'read', params: strategyParams, query: strategyDetailQuery, responses: { 200: 'the strategy', 404: 'unknown id' } },
  { method: 'post', path: '/api/strategies/{id}/status', summary: 'Retire or promote a strategy by hand', access: 'write', params: strategyParams, query: emptyQuery, body: setStatusBody, responses: { 200: 'status changed', 404: 'unknown id' } },
  { method: 'post', path: '/api/backtests', summary: 'Backtest a strategy document on the workers', access: 'write', query: emptyQuery, body: backtestBody, responses: { 202: { description: 'enqueued', schema: backtestAccepted } } },
  { method: 'get', path: '/api/backtests/{id}', summary: 'State and result of a user backtest', access: 'read', params: backtestParams, query: emptyQuery, responses: { 200: 'state (queued, running, done, failed) and result', 404: 'unknown id' } },
  { method: 'get', path: '/api/cycles', summary: 'Recent cycles, newest first', access: 'read', query: listCyclesQuery, responses: { 200: '{items}' } },
  { method: 'get', path: '/api/cycles/{id}', summary: 'One cycle: counts, timings, progress, best strategies, insights', access: 'read', params: cycleParams, query: emptyQuery, responses: { 200: 'the cycle', 404: 'unknown id' } },
  { method: 'get', path: '/healthz', summary: 'Liveness: the process answers', access: 'open', responses: { 200: 'up' } },
  { method: 'get', path: '/readyz', summary: 'Readiness: Redis write/read and PostgreSQL round trips, each with a timeout', access: 'open', responses: { 200: 'ready', 503: 'a dependency failed' } },
  { method: 'get', path: '/metrics', summary: 'Prometheus metrics', access: 'open', responses: { 200: 'text exposition format' } },
];

/** zod → OpenAPI 3.0 schema; named sub-schemas (`.meta({id})`) are hoisted into components. */
function toSchema(schema: z.ZodType, components: Json): Json {
  const out = z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0', unrepresentable: 'any' }) as Json;
  const defs = (out.definitions ?? {}) as Record<string, Json>;
  delete out.definitions;
  const rewrite = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v as Json).map(([k, x]) => [k, k === '$ref' && typeof x === 'string' ? x.replace('#/definitions/', '#/components/schemas/') : rewrite(x)]),
      );
    }
    return v;
  };
  for (const [name, def] of Object.entries(defs)) components[name] = rewrite(def);
  return rewrite(out) as Json;
}

function parameters(obj: z.ZodObject, where: 'path' | 'query', components: Json): Json[] {
  const s = toSchema(obj, components);
  const props = (s.properties ?? {}) as Record<string, Json>;
  const required = new Set((s.required ?? []) as string[]);
  return Object.entries(props).map(([name, schema]) => ({
    name,
    in: where,
    required: where === 'path' || (required.has(name) && !('default' in schema)),
    ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
    schema,
  }));
}

/** The OpenAPI 3.0 document of the API, built once at start-up from the request schemas. */
export function buildOpenApi(version: string): Json {
  const components: Json = {};
  const errorSchema = toSchema(errorResponse, components);
  const paths: Record<string, Json> = {};
  for (const op of OPERATIONS) {
    const responses: Json = {};
    for (const [code, r] of Object.entries(op.responses)) {
      responses[code] = typeof r === 'string' ? { description: r } : { description: r.description, content: { 'application/json': { schema: toSchema(r.schema, components) } } };
    }
    const error = (description: string) => ({ description, content: { 'application/json': { schema: errorSchema } } });
    if (op.params || op.query || op.body) responses[400] = error('invalid input: the field is named in `field`');
    if (op.access !== 'open') responses[401] = error(op.access === 'write' ? 'missing or wrong x-api-key' : 'missing or wrong x-api-key (only when API_READ_KEY is set)');
    if (op.body) responses[413] = error('body larger than API_BODY_LIMIT_BYTES');
    if (op.params && !responses[404]) responses[404] = error('unknown id');
    const entry: Json = {
      summary: op.summary,
      parameters: [...(op.params ? parameters(op.params, 'path', components) : []), ...(op.query ? parameters(op.query, 'query', components) : [])],
      responses,
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(op.body, components) } } } } : {}),
      ...(op.access === 'write' ? { security: [{ apiKey: [] }] } : op.access === 'read' ? { security: [{}, { apiKey: [] }] } : {}),
    };
    paths[op.path] = { ...(paths[op.path] ?? {}), [op.method]: entry };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'MasterTrade Strategy Lab API',
      version,
      description:
        'Commands enqueue work and answer 202 with an id; reads come from PostgreSQL. Mutating routes need `x-api-key`; read routes too when the server sets API_READ_KEY. Unknown fields are refused (400 naming the field).',
    },
    paths,
    components: { schemas: components, securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } } },
  };
}
