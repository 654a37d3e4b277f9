import { join, resolve } from 'node:path';
import { z } from 'zod';
import { GATEWAY, SUBGRAPHS, loadConfig, metricsPortVariable, nodeEnv, portVariable, type ServiceName } from '@compliance-graph/config';

// Port 0 (any free port) is refused: the launcher must know each address to poll and to hand on.
const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
const optionalSecret = z.string().min(1, 'must not be empty (unset it to have one generated)').optional();

const SERVICES = [GATEWAY, ...SUBGRAPHS];
/** GATEWAY_PORT, IDENTITY_PORT, ...: the port the launcher gives each registered service. */
const servicePorts = Object.fromEntries(SERVICES.map(({ name, port: fallback }) => [portVariable(name), port(fallback)])) as {
  [N in ServiceName as ReturnType<typeof portVariable<N>>]: ReturnType<typeof port>;
};
/** GATEWAY_METRICS_PORT, IDENTITY_METRICS_PORT, ...: where each service serves /metrics, apart from its public port. */
const metricsPorts = Object.fromEntries(SERVICES.map(({ name, metricsPort }) => [metricsPortVariable(name), port(metricsPort)])) as {
  [N in ServiceName as ReturnType<typeof metricsPortVariable<N>>]: ReturnType<typeof port>;
};

export const startEnv = z
  .object({
    LOG_LEVEL: nodeEnv.LOG_LEVEL,
    /** When unset, an embedded PostgreSQL is started under DATA_DIR. */
    DATABASE_URL: z.string().url('must be a postgres:// URL').optional(),
    DATA_DIR: z.string().min(1).default('.data'),
    EMBEDDED_PG_PORT: port(54329),
    ...servicePorts,
    ...metricsPorts,
    READY_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(60),
    JWT_SIGNING_KEYS: optionalSecret,
    AUDIT_SIGNING_KEYS: optionalSecret,
    PROOFPACK_SIGNING_KEYS: optionalSecret,
    ROUTER_SECRET: optionalSecret,
    ENCRYPTION_KEY: optionalSecret,
    IDENTITY_INGEST_TOKEN: optionalSecret,
    EVIDENCE_INGEST_TOKEN: optionalSecret,
    SUBPROCESSORS_INGEST_TOKEN: optionalSecret,
    WEBHOOK_SECRET_KEY: optionalSecret,
    IDENTITY_REPORT_TOKEN: optionalSecret,
    SUBPROCESSORS_DIRECTORY_TOKEN: optionalSecret,
    DATABASE_ROLE_SECRET: optionalSecret,
  })
  .superRefine((env, ctx) => {
    const ports: [string, number][] = SERVICES.flatMap(({ name }) => [
      [portVariable(name), env[portVariable(name)]],
      [metricsPortVariable(name), env[metricsPortVariable(name)]],
    ]);
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
