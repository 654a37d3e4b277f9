/** Wide enough for the longest service name, `subprocessors`, so the columns line up. */
const NAME_WIDTH = 13;
/** Fields every entry of the shared logger carries; the prefix and the level column already say them. */
const HEADER_FIELDS = new Set(['time', 'level', 'service', 'msg']);

interface ErrorFields {
  name?: unknown;
  message: string;
  stack?: unknown;
  code?: unknown;
}

const isErrorFields = (value: unknown): value is ErrorFields =>
  typeof value === 'object' && value !== null && typeof (value as ErrorFields).message === 'string';

const scalar = (value: unknown): string => {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
};

export const linePrefix = (name: string) => `${name.padEnd(NAME_WIDTH)} | `;

/**
 * Renders one entry of the shared JSON logger as `level message key=value ...`. An error's
 * stack (or a multi-line message, such as a configuration error's list of problems) follows on
 * its own indented lines, since that is what a person reads when a service fails to start.
 */
export function formatEntry(entry: Record<string, unknown>): string[] {
  const inline: string[] = [];
  const below: string[] = [];
  for (const [key, value] of Object.entries(entry)) {
    if (HEADER_FIELDS.has(key)) continue;
    if (isErrorFields(value)) {
      inline.push(`${key}=${scalar(value.message.split('\n')[0])}`);
      if (value.code !== undefined) inline.push(`${key}.code=${scalar(value.code)}`);
      const detail = typeof value.stack === 'string' ? value.stack : value.message;
      if (detail.includes('\n')) below.push(...detail.split('\n'));
    } else if (typeof value === 'string' && value.includes('\n')) {
      inline.push(`${key}=(below)`);
      below.push(...value.split('\n'));
    } else {
      inline.push(`${key}=${scalar(value)}`);
    }
  }
  const [title, ...more] = String(entry.msg).split('\n');
  const level = String(entry.level ?? 'info').padEnd(5);
  return [[`${level} ${title}`, ...inline].join(' '), ...[...more, ...below].map((line) => `  ${line}`)];
}

/** A line a service printed: formatted when it is one of our JSON log entries, verbatim otherwise. */
export function formatServiceLine(line: string): string[] {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return [line];
  }
  const isLogEntry =
    typeof entry === 'object' && entry !== null && typeof (entry as { msg?: unknown }).msg === 'string';
  return isLogEntry ? formatEntry(entry as Record<string, unknown>) : [line];
}
