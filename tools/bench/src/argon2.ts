import { hashPassword, verifyPassword } from '@compliance-graph/identity';
import { elapsedMs, summarise, timed } from './stats';

const PASSWORD = 'an argon2 benchmark password';
const WARM_UP_VERIFIES = 5;

/** What a login spends in argon2: identity's own verifyPassword on a hash from its hashPassword, `runs` times in a row. */
export async function measureArgon2(runs: number) {
  const passwordHash = await hashPassword(PASSWORD);
  const once = () =>
    timed(async () => {
      if (!(await verifyPassword(passwordHash, PASSWORD))) throw new Error('verifyPassword rejected the benchmark password');
    });
  for (let i = 0; i < WARM_UP_VERIFIES; i++) await once();
  const samples: number[] = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) samples.push(await once());
  // `$argon2id$v=19$m=19456,t=2,p=1$salt$hash` names its algorithm and cost.
  const [, algorithm, , cost] = passwordHash.split('$');
  return { parameters: `${algorithm} ${cost}`, ...summarise(samples), perSecond: runs / (elapsedMs(start) / 1000) };
}
