export { createLogger, type Logger } from './logger.js';
export { createRedis, waitReady, type RedisRole } from './redis.js';
export { Shutdown } from './shutdown.js';
export { createRegistry, jobMetrics, startOpsServer, Registry, Counter, Gauge, Histogram, type JobMetrics } from './metrics.js';
