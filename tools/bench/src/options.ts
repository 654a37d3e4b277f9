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

type Limits = { min?: number; max?: number; integer?: boolean };

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

/** A comma-separated list, e.g. `--writers 1,8,32`; a repeated value counts once. */
export const numbers = (fallback: number[], help: string, limits: Limits = {}): Option<number[]> => ({
  fallback,
  help,
  placeholder: 'LIST',
  parse: (text, flag) => [...new Set(text.split(',').map((part) => checked(part, flag, limits)))],
});

export const file = (help: string): Option<string | undefined> => ({
  fallback: undefined,
  help,
  placeholder: 'FILE',
  parse: (text) => text,
});

/** `argon2Runs` is `--argon2-runs`. */
const nameOf = (key: string) => key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

export function usage(command: string, options: Options): string {
  const lines = Object.entries(options).map(([key, { fallback, help, placeholder }]) => [
    `--${nameOf(key)} ${placeholder}`,
    fallback === undefined ? help : `${help} (default ${String(fallback)})`,
  ]);
  const width = Math.max(...lines.map(([flag]) => flag.length));
  return [`usage: ${command} [options]`, ...lines.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`)].join('\n');
}

/** Reads `--name value` and `--name=value` with node:util parseArgs; undefined when --help was asked. */
export function parseOptions<O extends Options>(options: O, argv: string[]): Values<O> | undefined {
  const declared = Object.fromEntries(Object.keys(options).map((key) => [nameOf(key), { type: 'string' as const }]));
  let given: Record<string, string | boolean | undefined>;
  try {
    given = parseArgs({ args: argv, strict: true, options: { ...declared, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (error) {
    // parseArgs' own errors (unknown option, missing value) are usage errors too.
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw new UsageError((error as Error).message);
    throw error;
  }
  if (given.help) return undefined;
  const values = Object.entries(options).map(([key, option]) => {
    const text = given[nameOf(key)];
    return [key, typeof text === 'string' ? option.parse(text, `--${nameOf(key)}`) : option.fallback];
  });
  return Object.fromEntries(values) as Values<O>;
}

export const directory = (help: string): Option<string | undefined> => ({ ...file(help), placeholder: 'DIR' });
