import { prettyFactory } from 'pino-pretty';
import { createLogger, splitByLevel, type Logger, type LogLevel } from '@compliance-graph/config';

/** Wide enough for the longest service name, `subprocessors`, so the columns line up. */
const NAME_WIDTH = 13;

/**
 * The services' JSON entries for a person: `LEVEL: message {fields}` on one line, an error's
 * stack (or a multi-line message) indented below it. No time (the terminal is live) and no
 * service field (the line's prefix says it); a line that is not an entry passes verbatim.
 */
const prettify = prettyFactory({ colorize: false, singleLine: true, ignore: 'time,service' });

export type LauncherLog = Logger & {
  /** Prints a line a child process wrote, under that service's name. */
  service(name: string, line: string, stream: 'stdout' | 'stderr'): void;
  /** The same log under another name, for what the launcher drives itself (the embedded PostgreSQL). */
  named(name: string): LauncherLog;
};

function writeUnder(stream: NodeJS.WriteStream, name: string, text: string): void {
  const prefix = `${name.padEnd(NAME_WIDTH)} | `;
  const lines = text.replace(/\n$/, '').split('\n');
  stream.write(lines.map((line) => `${prefix}${line}\n`).join(''));
}

const under = (stream: NodeJS.WriteStream, name: string) => ({ write: (entry: string) => writeUnder(stream, name, prettify(entry)) });

/**
 * The launcher speaks in the same columns as the services it runs, so one terminal reads as one
 * log. Children filter their own entries by LOG_LEVEL; this filters only the launcher's.
 */
export function createLauncherLog(level: LogLevel, name = 'start'): LauncherLog {
  const logger = createLogger(name, level, splitByLevel(under(process.stdout, name), under(process.stderr, name)));
  return Object.assign(logger, {
    service: (service: string, line: string, stream: 'stdout' | 'stderr') => writeUnder(process[stream], service, prettify(line)),
    named: (other: string) => createLauncherLog(level, other),
  });
}
