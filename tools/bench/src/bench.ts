import type { Options, Values } from './options';

export interface BenchContext {
  /** Aborted on Ctrl-C: a long phase stops early. */
  signal: AbortSignal;
  /** Registers a teardown step; they run in reverse order after the run, also after a failure. */
  onStop(stop: () => Promise<void>): void;
  /** A line of the result, on stdout. */
  print(line?: string): void;
  /** What the bench is doing now, on stderr. */
  progress(line: string): void;
}

export interface BenchResult {
  /** Everything measured, as --json writes it. */
  figures: Record<string, unknown>;
  /** Why the figures are not a clean measurement (failed requests, a log that does not verify): exit code 1. */
  failures: string[];
}

export interface Bench<O extends Options> {
  /** The title line of the output and of --help. */
  summary: string;
  options: O;
  run(options: Values<O>, context: BenchContext): Promise<BenchResult>;
}

/** Types a bench's options from its declaration. */
export const defineBench = <O extends Options>(bench: Bench<O>): Bench<O> => bench;

/** Runs one step of a bench, so that a failure says which step failed. */
export async function step<T>(name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new Error(`${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
