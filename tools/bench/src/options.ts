import { parseArgs } from 'node:util';

/** One command-line option: its default, its help line, and how its text becomes a value. */
export interface Option<T> {
  fallback: T;
  help: string;
  /** What the value looks like in the usage: N, LIST, FILE. */
  placeholder: string;
  parse(text: string, flag: string): T;
}

export type Options = Record<string, Option<unknown>>;
export type Values<O extends Options> = { [K in keyof O]: O[K]['fallback'] };

/** A mistake on the command line: reported with the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

interface Limits {
  min?: number;
  max?: number;
  integer?: boolean;
}

function checked(text: string, flag: string, { min = 0, max = Infinity, integer = false }: Limits): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    const range = max === Infinity ? `>= ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`${flag} needs ${integer ? 'an integer' : 'a number'} ${range}, got "${text}"`);
  }
  return value;
}

export const number = (fallback: number, help: string, limits: Limits = {}): Option<number> => ({
  fallback,
  help,
  placeholder: 'N',
  parse: (text, flag) => checked(text, flag, limits),
});

/** A comma-separated list, e.g. `--writers 1,8,32`; repeated values count once. */
export const numbers = (fallback: number[], help: string, limits: Limits = {}): Option<number[]> => ({
  fallback,
  help,
  placeholder: 'LIST',
  parse: (text, flag) => [...new Set(text.split(',').map((part) => checked(part, flag, limits)))],
});

export const file = (help: string): Option<string | undefined> => ({ fallback: undefined, help, placeholder: 'FILE', parse: (value) => value });

const flagOf = (key: string) => `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;

export function usage(command: string, options: Options): string {
  const flags = Object.entries(options).map(([key, option]) => {
    const fallback = option.fallback === undefined ? '' : ` (default ${String(option.fallback)})`;
    return [`${flagOf(key)} ${option.placeholder}`, `${option.help}${fallback}`];
  });
  const width = Math.max(...flags.map(([flag]) => flag.length));
  return [`usage: ${command} [options]`, ...flags.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`)].join('\n');
}

/** Parses `--name value` / `--name=value` with node:util parseArgs; undefined when --help was asked. */
export function parseOptions<O extends Options>(options: O, argv: string[]): Values<O> | undefined {
  let parsed: ReturnType<typeof parseArgs>['values'];
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(Object.keys(options).map((key) => [flagOf(key).slice(2), { type: 'string' as const }])),
      },
    }).values;
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw new UsageError((error as Error).message);
    throw error;
  }
  if (parsed.help) return undefined;
  const values = Object.entries(options).map(([key, option]) => {
    const given = parsed[flagOf(key).slice(2)];
    return [key, typeof given === 'string' ? option.parse(given, flagOf(key)) : option.fallback];
  });
  return Object.fromEntries(values) as Values<O>;
}
