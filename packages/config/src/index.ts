export { loadConfig, ConfigError } from './load-config';
export { createLogger, type Logger } from './logger';
export * from './fragments';
