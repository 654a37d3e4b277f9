import { join, resolve } from 'node:path';
import { z } from 'zod';
import { loadConfig, nodeEnv } from '@compliance-graph/config';

// Port 0 (any free port) is refused: the launcher must know each address to poll and to hand on.
const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
const optionalSecret = z.string().min(1, 'must not be empty (unset it to have one generated)').optional();

export const startEnv = z
  .object({
    LOG_LEVEL: nodeEnv.LOG_LEVEL,
    /** When unset, an embedded PostgreSQL is started under DATA_DIR. */
    DATABASE_URL: z.string().url('must be a postgres:// URL').optional(),
    DATA_DIR: z.string().min(1).default('.data'),
    EMBEDDED_PG_PORT: port(54329),
    GATEWAY_PORT: port(4000),
    IDENTITY_PORT: port(4001),
    EVIDENCE_PORT: port(4002),
    AUDIT_PORT: port(4003),
    SUBPROCESSORS_PORT: port(4004),
    READY_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(60),
    JWT_SIGNING_KEYS: optionalSecret,
    AUDIT_SIGNING_KEYS: optionalSecret,
    PROOFPACK_SIGNING_KEYS: optionalSecret,
    ROUTER_SECRET: optionalSecret,
    ENCRYPTION_KEY: optionalSecret,
    IDENTITY_INGEST_TOKEN: optionalSecret,
    DATABASE_ROLE_SECRET: optionalSecret,
  })
  .superRefine((env, ctx) => {
    const ports: [string, number][] = [
      ['GATEWAY_PORT', env.GATEWAY_PORT],
      ['IDENTITY_PORT', env.IDENTITY_PORT],
      ['EVIDENCE_PORT', env.EVIDENCE_PORT],
      ['AUDIT_PORT', env.AUDIT_PORT],
      ['SUBPROCESSORS_PORT', env.SUBPROCESSORS_PORT],
    ];
    if (!env.DATABASE_URL) ports.push(['EMBEDDED_PG_PORT', env.EMBEDDED_PG_PORT]);
    const seen = new Map<number, string>();
    for (const [name, value] of ports) {
      const clash = seen.get(value);
      if (clash) ctx.addIssue({ code: 'custom', path: [name], message: `is ${value}, the same as ${clash}` });
      seen.set(value, name);
    }
  });

export interface StartConfig extends z.infer<typeof startEnv> {
  paths: {
    dataDir: string;
    keysDir: string;
    postgresDir: string;
  };
}

/** Reads the launcher's environment; relative paths are taken from the repository root (cwd). */
export function loadStartConfig(env: Record<string, string | undefined> = process.env): StartConfig {
  const parsed = loadConfig('start', startEnv, env);
  const dataDir = resolve(parsed.DATA_DIR);
  return {
    ...parsed,
    paths: { dataDir, keysDir: join(dataDir, 'keys'), postgresDir: join(dataDir, 'postgres') },
  };
}
