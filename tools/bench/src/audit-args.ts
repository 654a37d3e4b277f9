import { UsageError } from './args';

export interface AuditBenchOptions {
  /** Length of each measured append row. */
  seconds: number;
  /** Unmeasured appends before the first row (hot tenant and the many tenants both exist afterwards). */
  warmupSeconds: number;
  /** Concurrent writers (outbox relays) of the append rows. */
  writers: number[];
  /** Events per POST of the append rows (a relay delivers up to 100 per call). */
  batches: number[];
  /** Tenants of the "many tenants" rows. */
  tenants: number;
  /** Events of the big tenant log; 0 skips the big log. */
  events: number;
  /** Events per POST while the big log is built. */
  buildBatch: number;
  /** POSTs in flight while the big log is built (one tenant: they queue on its head lock). */
  buildInFlight: number;
  /** Measured calls of each proof and checkpoint query on the big log. */
  proofCalls: number;
  /** DATABASE_POOL_SIZE of the audit service. */
  poolSize: number;
}

export const AUDIT_DEFAULTS: AuditBenchOptions = {
  seconds: 10,
  warmupSeconds: 3,
  writers: [1, 8, 32],
  batches: [1, 100],
  tenants: 100,
  events: 1_000_000,
  buildBatch: 1000,
  buildInFlight: 2,
  proofCalls: 200,
  poolSize: 10,
};

export const AUDIT_USAGE = `usage: npm run bench:audit -- [options]
  --seconds N         length of each append row (default ${AUDIT_DEFAULTS.seconds})
  --warmup N          unmeasured appends before the rows, in seconds (default ${AUDIT_DEFAULTS.warmupSeconds})
  --writers LIST      concurrent writers per row, comma-separated (default ${AUDIT_DEFAULTS.writers.join(',')})
  --batch LIST        events per POST, comma-separated (default ${AUDIT_DEFAULTS.batches.join(',')}; a relay sends up to 100)
  --tenants N         tenants of the "many tenants" rows (default ${AUDIT_DEFAULTS.tenants})
  --events N          events in the big single-tenant log; 0 skips it (default ${AUDIT_DEFAULTS.events})
  --build-batch N     events per POST while building the big log (default ${AUDIT_DEFAULTS.buildBatch})
  --build-in-flight N POSTs in flight while building the big log (default ${AUDIT_DEFAULTS.buildInFlight})
  --proofs N          measured calls per proof/checkpoint query on the big log (default ${AUDIT_DEFAULTS.proofCalls})
  --pool N            DATABASE_POOL_SIZE of the audit service (default ${AUDIT_DEFAULTS.poolSize})
Uses DATABASE_URL when set (its audit schema is migrated and written to), otherwise an
embedded PostgreSQL in a temporary directory.`;

type Spec = { key: keyof AuditBenchOptions; min: number; max?: number; integer: boolean; list?: boolean };

const FLAGS: Record<string, Spec> = {
  '--seconds': { key: 'seconds', min: 1, integer: false },
  '--warmup': { key: 'warmupSeconds', min: 0, integer: false },
  '--writers': { key: 'writers', min: 1, max: 1000, integer: true, list: true },
  '--batch': { key: 'batches', min: 1, max: 5000, integer: true, list: true },
  '--tenants': { key: 'tenants', min: 2, integer: true },
  '--events': { key: 'events', min: 0, integer: true },
  '--build-batch': { key: 'buildBatch', min: 1, max: 5000, integer: true },
  '--build-in-flight': { key: 'buildInFlight', min: 1, max: 64, integer: true },
  '--proofs': { key: 'proofCalls', min: 10, integer: true },
  '--pool': { key: 'poolSize', min: 1, max: 100, integer: true },
};

function number(flag: string, spec: Spec, raw: string | undefined): number {
  const value = Number(raw);
  const bad =
    raw === undefined || raw.trim() === '' || !Number.isFinite(value) || value < spec.min ||
    (spec.max !== undefined && value > spec.max) || (spec.integer && !Number.isInteger(value));
  if (bad) {
    const range = spec.max === undefined ? `>= ${spec.min}` : `between ${spec.min} and ${spec.max}`;
    throw new UsageError(`${flag} needs ${spec.integer ? 'integers' : 'a number'} ${range}, got ${raw ?? 'nothing'}`);
  }
  return value;
}

/** Parses `--name value` and `--name=value`; lists are comma-separated; anything unknown is a usage error. */
export function parseAuditArgs(argv: readonly string[]): AuditBenchOptions {
  const options: AuditBenchOptions = { ...AUDIT_DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const spec = FLAGS[flag];
    if (!spec) throw new UsageError(`unknown option ${argv[i]}`);
    const raw = inline ?? argv[++i];
    if (spec.list) {
      const values = (raw ?? '').split(',').map((part) => number(flag, spec, part));
      (options[spec.key] as number[]) = [...new Set(values)];
    } else {
      (options[spec.key] as number) = number(flag, spec, raw);
    }
  }
  return options;
}
