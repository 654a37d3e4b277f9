import { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';

export type Logger = pino.Logger;
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Entries at warn and above go to `loud`, the rest to `quiet`. */
export const splitByLevel = (quiet: pino.DestinationStream, loud: pino.DestinationStream): pino.DestinationStream =>
  pino.multistream(
    [
      { level: 'debug', stream: quiet },
      { level: 'warn', stream: loud },
    ],
    { dedupe: true },
  );

/**
 * Where a credential could end up in an entry by accident (a request's headers, an options
 * object): pino blanks these paths. Callers still never pass secrets on purpose.
 */
const REDACTED_PATHS = ['authorization', 'password', 'token', '*.authorization', '*.password', '*.token', 'headers.authorization', 'req.headers.authorization'];

/** What every entry written while handling one request carries: its request id, and its trace id when tracing is on. */
export interface RequestLogFields {
  requestId: string;
  traceId?: string;
}

const requestLogFields = new AsyncLocalStorage<RequestLogFields>();

/** Runs `work` (and everything it starts) as part of one request: every logger's entries then carry its fields. */
export const withRequestLogFields = <T>(fields: RequestLogFields, work: () => T): T => requestLogFields.run(fields, work);

/** The current request's fields, minus those a child logger already binds (pino would write a bound key twice). */
function requestFieldsFor(logger: pino.Logger): Partial<RequestLogFields> {
  const fields = requestLogFields.getStore();
  if (!fields) return {};
  const bound = logger.bindings();
  return Object.fromEntries(Object.entries(fields).filter(([key, value]) => value !== undefined && !(key in bound)));
}

/**
 * One JSON line per entry (pino), tagged with the service, `level` as a word and `time` in
 * ISO 8601, so `npm start` can render it for a person (pino-pretty) and a log shipper can
 * parse it. An entry written while a request is handled carries its `requestId` (and `traceId`)
 * without the caller passing it (withRequestLogFields). An `error` field is serialised with its type, stack, code and cause (Node's fetch
 * says only "fetch failed" and keeps the reason, such as ECONNREFUSED, in `cause`).
 */
export function createLogger(
  service: string,
  level: LogLevel = (process.env.LOG_LEVEL as LogLevel) || 'info',
  // Synchronous writes (process.stdout and stderr are, on Linux), so the entry a failing
  // service writes just before it exits is not lost.
  destination: pino.DestinationStream = splitByLevel(process.stdout, process.stderr),
): Logger {
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { error: pino.stdSerializers.errWithCause },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      mixin: (_entry, _level, logger) => requestFieldsFor(logger),
    },
    destination,
  );
}
