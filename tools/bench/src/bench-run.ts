import { stopSignal } from '@compliance-graph/config';
import { UsageError } from './args';
import { cpuMeter, describeMachine, loadAverage, type Machine } from './machine';

/** How long the machine is watched before the start, to tell whether something else is running. */
const IDLE_SAMPLE_MS = 1000;

export const say = (line = '') => process.stdout.write(`${line}\n`);
export const indent = (lines: string[]) => lines.forEach((line) => say(`  ${line}`));

/** Runs one step of a benchmark, so a failure says which step failed. */
export async function step<T>(name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new Error(`${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

export interface MachineBefore {
  machine: Machine;
  busyBefore: number;
  loadBefore: string;
}

/** Prints the title and the machine, after watching it for a second to show whether it was idle. */
export async function describeMachineBefore(title: string): Promise<MachineBefore> {
  const machine = describeMachine();
  say(title);
  say(`machine   ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB, Node ${machine.node}, ${machine.os}`);
  const idle = cpuMeter();
  await new Promise((resolve) => setTimeout(resolve, IDLE_SAMPLE_MS));
  const busyBefore = idle().machine;
  const loadBefore = loadAverage();
  say(`          ${machine.threadPool}; load average before: ${loadBefore}`);
  say(`          busy before the start: ${busyBefore.toFixed(2)} of ${machine.cores} cores (anything above ~0.1 is another job)`);
  return { machine, busyBefore, loadBefore };
}

export interface Bench<Options> {
  /** e.g. "bench:audit", the prefix of every message. */
  name: string;
  usage: string;
  parse(argv: readonly string[]): Options;
  /**
   * Measures and reports; returns the exit code. Whatever it starts it registers with
   * `cleanup`, which runs in reverse order afterwards, also after a failure or Ctrl-C
   * (`signal` is aborted then, and a long phase should stop early).
   */
  run(options: Options, cleanup: Array<() => Promise<void>>, signal: AbortSignal): Promise<number>;
}

/** The command line around a benchmark: --help, usage errors, interruption, teardown, exit code. */
export function runBench<Options>(bench: Bench<Options>, argv = process.argv.slice(2)): void {
  const fail = (message: string) => process.stderr.write(`${bench.name}: ${message}\n`);
  const main = async (): Promise<number> => {
    if (argv.includes('--help')) {
      say(bench.usage);
      return 0;
    }
    let options: Options;
    try {
      options = bench.parse(argv);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      fail(`${error.message}\n${bench.usage}`);
      return 1;
    }
    const cleanup: Array<() => Promise<void>> = [];
    const interrupted = stopSignal(() => fail('interrupted, stopping ...'));
    let code: number;
    try {
      code = await bench.run(options, cleanup, interrupted);
    } catch (error) {
      fail(`failed: ${error instanceof Error ? error.message : String(error)}`);
      if (process.env.DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
      code = 1;
    }
    for (const stop of cleanup.reverse()) {
      try {
        await stop();
      } catch (error) {
        fail(`shutdown step failed: ${error instanceof Error ? error.message : String(error)}`);
        code = 1;
      }
    }
    return code;
  };
  main().then(
    (code) => process.exit(code),
    (error) => {
      fail(`failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
