export { loadConfig, ConfigError } from './load-config.js';
export { baseEnvSchema, envBoolean, type BaseEnv } from './schemas.js';
