import { hashPassword, verifyPassword } from '@compliance-graph/identity';
import { elapsedMs, summarise, timed, type Latency } from './stats';

const PASSWORD = 'an argon2 benchmark password';
const WARM_UP_VERIFIES = 5;

export type Argon2Run = Latency & { inFlight: number; perSecond: number };

/**
 * What a login spends in argon2: identity's own verifyPassword on a hash from its hashPassword,
 * `runs` times with 1 in flight, then with `inFlight`, which is the most verifies per second
 * libuv's thread pool gives whatever else a login does.
 */
export async function measureArgon2(runs: number, inFlight: number): Promise<{ parameters: string; runs: Argon2Run[] }> {
  const passwordHash = await hashPassword(PASSWORD);
  const once = () =>
    timed(async () => {
      if (!(await verifyPassword(passwordHash, PASSWORD))) throw new Error('verifyPassword rejected the benchmark password');
    });
  for (let i = 0; i < WARM_UP_VERIFIES; i++) await once();
  const measure = async (concurrency: number): Promise<Argon2Run> => {
    const samples: number[] = [];
    const start = process.hrtime.bigint();
    const loop = async () => {
      while (samples.length < runs) samples.push(await once());
    };
    await Promise.all(Array.from({ length: concurrency }, loop));
    return { ...summarise(samples), inFlight: concurrency, perSecond: samples.length / (elapsedMs(start) / 1000) };
  };
  // `$argon2id$v=19$m=19456,t=2,p=1$salt$hash` names its algorithm and cost.
  const [, algorithm, , cost] = passwordHash.split('$');
  return { parameters: `${algorithm} ${cost}`, runs: [await measure(1), await measure(inFlight)] };
}
