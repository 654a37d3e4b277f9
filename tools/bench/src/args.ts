export interface LoginBenchOptions {
  /** Length of each measured phase. */
  seconds: number;
  /** Length of the unmeasured warm-up before the first phase. */
  warmupSeconds: number;
  /** Concurrent clients of the main phase. */
  clients: number;
  /** Tenants (each with one OWNER account) signed up and logged into round-robin. */
  tenants: number;
  /** Sequential argon2 verifies, and again as many with `clients` in flight. */
  argon2Runs: number;
  /** Also run the login loop with a single client, to show how throughput scales. */
  singleClient: boolean;
}

export const DEFAULTS: LoginBenchOptions = {
  seconds: 20,
  warmupSeconds: 3,
  clients: 8,
  tenants: 16,
  argon2Runs: 200,
  singleClient: true,
};

export const USAGE = `usage: npm run bench:login -- [options]
  --seconds N         length of each measured phase (default ${DEFAULTS.seconds})
  --warmup N          unmeasured warm-up in seconds (default ${DEFAULTS.warmupSeconds})
  --clients N         concurrent clients of the main phase (default ${DEFAULTS.clients})
  --tenants N         accounts to sign up and log into round-robin (default ${DEFAULTS.tenants})
  --argon2-runs N     argon2 verifies per argon2 measurement (default ${DEFAULTS.argon2Runs})
  --no-single-client  skip the 1-client variant
Uses DATABASE_URL when set, otherwise an embedded PostgreSQL in a temporary directory.`;

export class UsageError extends Error {
  override name = 'UsageError';
}

const NUMERIC: Record<string, { key: keyof LoginBenchOptions; min: number; integer: boolean }> = {
  '--seconds': { key: 'seconds', min: 1, integer: false },
  '--warmup': { key: 'warmupSeconds', min: 0, integer: false },
  '--clients': { key: 'clients', min: 1, integer: true },
  '--tenants': { key: 'tenants', min: 1, integer: true },
  '--argon2-runs': { key: 'argon2Runs', min: 10, integer: true },
};

/** Parses `--name value` and `--name=value`; anything unknown is a usage error, not a guess. */
export function parseArgs(argv: readonly string[]): LoginBenchOptions {
  const options: LoginBenchOptions = { ...DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag === '--no-single-client') {
      options.singleClient = false;
      continue;
    }
    const spec = NUMERIC[flag];
    if (!spec) throw new UsageError(`unknown option ${argv[i]}`);
    const raw = inline ?? argv[++i];
    const value = Number(raw);
    if (raw === undefined || raw === '' || !Number.isFinite(value) || value < spec.min || (spec.integer && !Number.isInteger(value))) {
      throw new UsageError(`${flag} needs ${spec.integer ? 'an integer' : 'a number'} >= ${spec.min}, got ${raw ?? 'nothing'}`);
    }
    (options[spec.key] as number) = value;
  }
  return options;
}
