import { levelEnabled, type LogLevel as Level } from '@compliance-graph/config';
import { formatEntry, formatServiceLine, linePrefix } from './log-format';

export interface LauncherLog {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** Prints a line a child process wrote, under that service's name. */
  service(name: string, line: string, stream: 'stdout' | 'stderr'): void;
  /** The same log under another name, for what the launcher drives itself (the embedded PostgreSQL). */
  named(name: string): LauncherLog;
}

const write = (stream: NodeJS.WriteStream, name: string, lines: string[]) => {
  const prefix = linePrefix(name);
  stream.write(lines.map((line) => `${prefix}${line}\n`).join(''));
};

/**
 * The launcher speaks in the same columns as the services it runs, so one terminal reads as one
 * log. Children filter their own entries by LOG_LEVEL; this filters only the launcher's.
 */
export function createLauncherLog(level: Level, name = 'start'): LauncherLog {
  const entry = (entryLevel: Level) => (msg: string, fields: Record<string, unknown> = {}) => {
    if (!levelEnabled(entryLevel, level)) return;
    const stream = entryLevel === 'warn' || entryLevel === 'error' ? process.stderr : process.stdout;
    write(stream, name, formatEntry({ level: entryLevel, msg, ...fields }));
  };
  return {
    debug: entry('debug'),
    info: entry('info'),
    warn: entry('warn'),
    error: entry('error'),
    service: (service, line, stream) => write(process[stream], service, formatServiceLine(line)),
    named: (other) => createLauncherLog(level, other),
  };
}
