import type { StartConfig } from './config';
import type { DeploymentSecrets } from './secrets';
import { HOST, identityJwksUrl, type ServiceDefinition } from './services';

/** What every service is told: the database, every deployment secret, and where identity's keys are. */
export const commonServiceEnv = (config: StartConfig, databaseUrl: string, secrets: DeploymentSecrets) => ({
  DATABASE_URL: databaseUrl,
  ...secrets,
  IDENTITY_JWKS_URL: identityJwksUrl(config),
  HOST,
});

/** The launcher's own environment passes through (LOG_LEVEL, NODE_ENV, ...); ours wins on conflict. */
export const serviceEnv = (
  common: Record<string, string>,
  service: ServiceDefinition,
): NodeJS.ProcessEnv => ({ ...process.env, ...common, PORT: String(service.port) });

/** The gateway also learns each subgraph's base URL, as IDENTITY_URL, EVIDENCE_URL, ... */
export const gatewayEnv = (
  common: Record<string, string>,
  gateway: ServiceDefinition,
  subgraphs: ServiceDefinition[],
): NodeJS.ProcessEnv => ({
  ...serviceEnv(common, gateway),
  ...Object.fromEntries(subgraphs.map(({ name, url }) => [`${name.toUpperCase()}_URL`, url])),
});
