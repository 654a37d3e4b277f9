export { loadConfig, ConfigError } from './load-config';
export { createLogger, splitByLevel, type Logger, type LogLevel } from './logger';
export * from './fragments';
export * from './services';
export { stopSignal } from './stop-signal';
