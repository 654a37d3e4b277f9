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

/**
 * One JSON line per entry (pino), tagged with the service, `level` as a word and `time` in
 * ISO 8601, so `npm start` can render it for a person (pino-pretty) and a log shipper can
 * parse it. An `error` field is serialised with its type, stack, code and cause (Node's fetch
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
    },
    destination,
  );
}
