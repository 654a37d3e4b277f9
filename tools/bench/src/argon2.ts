import { verify } from '@node-rs/argon2';
import { elapsedMs, summarise, timed, type Latency } from './stats';

export type Argon2Run = Latency & { inFlight: number; perSecond: number };

const WARM_UP_VERIFIES = 5;

/** `argon2id m=19456,t=2,p=1` from a PHC string such as `$argon2id$v=19$m=19456,t=2,p=1$salt$hash`. */
export function hashParameters(phc: string): string {
  const [, algorithm, , parameters] = phc.split('$');
  if (!algorithm?.startsWith('argon2') || !parameters) throw new Error('the stored password hash is not an argon2 PHC string');
  return `${algorithm} ${parameters}`;
}

/**
 * What a login spends in argon2 (identity's verifyPassword is one `verify` of the stored hash):
 * `runs` verifies with 1 in flight, then with `inFlight`, which is the most verifies per
 * second libuv's thread pool gives whatever else a login does.
 */
export async function measureArgon2(passwordHash: string, password: string, runs: number, inFlight: number): Promise<Argon2Run[]> {
  const once = () =>
    timed(async () => {
      if (!(await verify(passwordHash, password))) throw new Error('argon2 verify rejected the benchmark password');
    });
  for (let i = 0; i < WARM_UP_VERIFIES; i++) await once();
  const measure = async (concurrency: number): Promise<Argon2Run> => {
    const samples: number[] = [];
    const start = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (samples.length < runs) samples.push(await once());
      }),
    );
    return { ...summarise(samples), inFlight: concurrency, perSecond: samples.length / (elapsedMs(start) / 1000) };
  };
  return [await measure(1), await measure(inFlight)];
}
