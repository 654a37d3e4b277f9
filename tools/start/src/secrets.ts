import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { generateSigningKey } from '@compliance-graph/auth';
import type { StartConfig } from './config';
import { ensureKeysDir, readOrCreateKeyFile } from './key-files';
import type { LauncherLog } from './log';

const signingKeySet = async () => JSON.stringify([await generateSigningKey()]);
const random32 = (encoding: 'base64' | 'base64url') => () => randomBytes(32).toString(encoding);

/** Every secret a deployment must configure, and how to make one for a machine that has none. */
const DEPLOYMENT_SECRETS = {
  JWT_SIGNING_KEYS: { file: 'jwt-signing-keys.json', generate: signingKeySet },
  AUDIT_SIGNING_KEYS: { file: 'audit-signing-keys.json', generate: signingKeySet },
  PROOFPACK_SIGNING_KEYS: { file: 'proofpack-signing-keys.json', generate: signingKeySet },
  ROUTER_SECRET: { file: 'router-secret', generate: random32('base64url') },
  ENCRYPTION_KEY: { file: 'encryption-key', generate: random32('base64') },
  /** identity's credential for the audit ingest; each producing service has its own. */
  IDENTITY_INGEST_TOKEN: { file: 'ingest-token-identity', generate: random32('base64url') },
  EVIDENCE_INGEST_TOKEN: { file: 'ingest-token-evidence', generate: random32('base64url') },
  SUBPROCESSORS_INGEST_TOKEN: { file: 'ingest-token-subprocessors', generate: random32('base64url') },
  /** identity's credential for evidence's access-review report route: identity sends it, evidence checks it. */
  IDENTITY_REPORT_TOKEN: { file: 'report-token-identity', generate: random32('base64url') },
  /** Seals webhook signing secrets: the subprocessors service's alone, not identity's ENCRYPTION_KEY. */
  WEBHOOK_SECRET_KEY: { file: 'webhook-secret-key', generate: random32('base64') },
  /** the subprocessors service's credential for identity's directory: subprocessors sends it, identity checks it. */
  SUBPROCESSORS_DIRECTORY_TOKEN: { file: 'directory-token-subprocessors', generate: random32('base64url') },
  /** Every service's database login passwords are derived from it; only the launcher holds it. */
  DATABASE_ROLE_SECRET: { file: 'database-role-secret', generate: random32('base64url') },
} as const;

export type SecretName = keyof typeof DEPLOYMENT_SECRETS;
export const SECRET_NAMES = Object.keys(DEPLOYMENT_SECRETS) as SecretName[];
export type DeploymentSecrets = Record<SecretName, string>;

/**
 * Takes each secret from the environment when configured there, otherwise from (or into) its
 * file under the keys directory. Logs where each came from, never a value.
 */
export async function resolveDeploymentSecrets(config: StartConfig, log: LauncherLog): Promise<DeploymentSecrets> {
  if (SECRET_NAMES.some((name) => !config[name])) ensureKeysDir(config.paths.keysDir);
  const secrets = {} as DeploymentSecrets;
  for (const name of SECRET_NAMES) {
    const configured = config[name];
    if (configured) {
      secrets[name] = configured;
      log.debug(`${name} taken from the environment`);
      continue;
    }
    const { file, generate } = DEPLOYMENT_SECRETS[name];
    const { value, outcome } = await readOrCreateKeyFile(config.paths.keysDir, file, generate);
    secrets[name] = value;
    const where = { file: join(config.paths.keysDir, file) };
    if (outcome === 'generated') log.info(where, `generated ${name}`);
    else log.debug(where, `reused ${name}`);
  }
  return secrets;
}
