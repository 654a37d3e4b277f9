export { loadConfig, ConfigError } from './load-config';
export { createLogger, splitByLevel, withRequestLogFields, type Logger, type LogLevel, type RequestLogFields } from './logger';
export * from './fragments';
export * from './services';
export { stopSignal } from './stop-signal';
export { traceHeaders, currentTraceparent, linkTo, inSpan, startSpan } from './trace-context';
