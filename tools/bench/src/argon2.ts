import { verify } from '@node-rs/argon2';
import { cpuMeter, type CpuUse } from './machine';
import { elapsedMs, summarise, type LatencySummary } from './stats';

export interface Argon2Result {
  /** `argon2id m=19456,t=2,p=1`, read from the hash itself. */
  parameters: string;
  sequential: LatencySummary & { perSecond: number; cpu: CpuUse };
  concurrent: LatencySummary & { inFlight: number; perSecond: number; cpu: CpuUse };
}

/** The algorithm and cost parameters of a PHC string such as `$argon2id$v=19$m=19456,t=2,p=1$salt$hash`. */
export function hashParameters(phc: string): string {
  const [, algorithm, , parameters] = phc.split('$');
  if (!algorithm?.startsWith('argon2') || !parameters) throw new Error('the stored password hash is not an argon2 PHC string');
  return `${algorithm} ${parameters}`;
}

const WARM_UP_VERIFIES = 5;

/**
 * What a login spends in argon2 (identity's verifyPassword is one `verify` of the stored hash):
 * `runs` verifies one after another, then `runs` more with `inFlight` at a time, which is the
 * most verifies per second this machine's thread pool gives whatever else a login does.
 */
export async function measureArgon2(passwordHash: string, password: string, runs: number, inFlight: number): Promise<Argon2Result> {
  const once = async () => {
    const started = process.hrtime.bigint();
    if (!(await verify(passwordHash, password))) throw new Error('argon2 verify rejected the benchmark password');
    return elapsedMs(started);
  };
  for (let i = 0; i < WARM_UP_VERIFIES; i++) await once();

  const sequentialSamples: number[] = [];
  const sequentialCpu = cpuMeter();
  const sequentialStart = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) sequentialSamples.push(await once());
  const sequentialSeconds = elapsedMs(sequentialStart) / 1000;
  const sequentialUse = sequentialCpu();

  const concurrentSamples: number[] = [];
  let started = 0;
  const concurrentCpu = cpuMeter();
  const concurrentStart = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (started++ < runs) concurrentSamples.push(await once());
    }),
  );
  const concurrentSeconds = elapsedMs(concurrentStart) / 1000;
  const concurrentUse = concurrentCpu();

  return {
    parameters: hashParameters(passwordHash),
    sequential: { ...summarise(sequentialSamples), perSecond: runs / sequentialSeconds, cpu: sequentialUse },
    concurrent: { ...summarise(concurrentSamples), inFlight, perSecond: runs / concurrentSeconds, cpu: concurrentUse },
  };
}
