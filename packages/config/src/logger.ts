import { isNativeError } from 'node:util/types';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** An entry at `entry` is written when the configured `threshold` lets it through. */
export const levelEnabled = (entry: LogLevel, threshold: LogLevel) => order[entry] >= order[threshold];

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

/**
 * Errors as their fields and their cause (Node's fetch says only "fetch failed" and keeps the
 * reason, such as ECONNREFUSED, in `cause`). `isNativeError` also knows errors of another realm.
 */
function serialise(value: unknown): unknown {
  if (value instanceof Error || isNativeError(value)) {
    const { name, message, stack, code, cause } = value as Error & { code?: unknown };
    return { name, message, stack, code, ...(cause === undefined ? {} : { cause: serialise(cause) }) };
  }
  return value;
}

/**
 * One JSON line per entry, tagged with the service, so `npm start` output can be read by a
 * person and parsed by a log shipper alike. Callers never pass secrets (tokens, passwords,
 * keys); the logger cannot tell them apart from other strings.
 */
export function createLogger(
  service: string,
  level: LogLevel = (process.env.LOG_LEVEL as LogLevel) || 'info',
  bound: Record<string, unknown> = {},
): Logger {
  const write = (entryLevel: LogLevel, msg: string, fields: Record<string, unknown> = {}) => {
    if (!levelEnabled(entryLevel, level)) return;
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level: entryLevel, service, msg, ...bound };
    for (const [key, value] of Object.entries(fields)) entry[key] = serialise(value);
    (entryLevel === 'error' || entryLevel === 'warn' ? process.stderr : process.stdout).write(`${JSON.stringify(entry)}\n`);
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    child: (fields) => createLogger(service, level, { ...bound, ...fields }),
  };
}
