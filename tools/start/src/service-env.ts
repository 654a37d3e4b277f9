import { subgraphUrlEnv } from '@compliance-graph/config';
import { loginPasswords, serviceLoginUrls } from '@compliance-graph/db';
import type { StartConfig } from './config';
import { SECRET_NAMES, type DeploymentSecrets } from './secrets';
import { HOST, auditUrl, evidenceUrl, identityJwksUrl, identityUrl, publicOrigin, type ServiceDefinition, type SubgraphDefinition } from './services';

/**
 * The launcher's own environment passes through (LOG_LEVEL, NODE_ENV, ...), but never a
 * deployment secret or the database URL: a process gets only those its definition names.
 */
function passedThrough(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of [...SECRET_NAMES, 'DATABASE_URL', 'DATABASE_WORKER_URL']) delete env[name];
  return env;
}

/**
 * A subgraph: its own two database logins (on the server of `serverUrl`, never the launcher's
 * user), its own secrets, where identity's keys are and where outbox relays deliver (audit
 * events, access reviews' reports).
 */
export const subgraphEnv = (
  config: StartConfig,
  serverUrl: string,
  secrets: DeploymentSecrets,
  subgraph: SubgraphDefinition,
): NodeJS.ProcessEnv => {
  const { schema } = subgraph.database;
  const logins = serviceLoginUrls(serverUrl, schema, loginPasswords(secrets.DATABASE_ROLE_SECRET, schema));
  return {
    ...passedThrough(),
    DATABASE_URL: logins.app,
    DATABASE_WORKER_URL: logins.worker,
    IDENTITY_JWKS_URL: identityJwksUrl(config),
    AUDIT_URL: auditUrl(config),
    EVIDENCE_URL: evidenceUrl(config),
    IDENTITY_URL: identityUrl(config),
    PUBLIC_ORIGIN: publicOrigin(config),
    ...subgraph.secrets(secrets),
    HOST,
    PORT: String(subgraph.port),
    METRICS_HOST: HOST,
    METRICS_PORT: String(subgraph.metricsPort),
  };
};

/** The gateway: no database, the router secret, and each subgraph's base URL as IDENTITY_URL, EVIDENCE_URL, ... */
export const gatewayEnv = (
  secrets: DeploymentSecrets,
  gateway: ServiceDefinition,
  subgraphs: SubgraphDefinition[],
): NodeJS.ProcessEnv => ({
  ...passedThrough(),
  ...gateway.secrets(secrets),
  ...subgraphUrlEnv(Object.fromEntries(subgraphs.map(({ name, url }) => [name, url]))),
  HOST,
  PORT: String(gateway.port),
  METRICS_HOST: HOST,
  METRICS_PORT: String(gateway.metricsPort),
});
