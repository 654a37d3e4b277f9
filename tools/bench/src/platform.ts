import { randomBytes } from 'node:crypto';
import { generateSigningKey } from '@compliance-graph/auth';
import { loginPasswords, serviceLoginUrls } from '@compliance-graph/db';
import { migrateAll, startStack } from '@compliance-graph/stack';
import type { BenchPostgres } from './postgres';

/** The services' default, stated so the figures say what they were measured with. */
export const POOL_SIZE = 10;
/** Every request comes from 127.0.0.1 and must never be throttled (defaults: 5 logins per account, 50 per address). */
export const THROTTLE_LIMIT = '1000000';

const secret = (encoding: BufferEncoding = 'base64url') => randomBytes(32).toString(encoding);

/**
 * The whole platform in this process (tools/stack: gateway and the four subgraphs over real
 * HTTP) on the bench database, as deployed but with fresh random keys and secrets; `env` adds
 * to every service's environment (limits a bench needs).
 */
export async function startPlatform(postgres: BenchPostgres, env: Record<string, string> = {}) {
  const roleSecret = secret();
  await migrateAll(postgres.url, roleSecret);
  return startStack({
    databaseLogins: (schema) => serviceLoginUrls(postgres.url, schema, loginPasswords(roleSecret, schema)),
    env: {
      NODE_ENV: 'production',
      LOG_LEVEL: 'error',
      HOST: '127.0.0.1',
      DATABASE_POOL_SIZE: String(POOL_SIZE),
      ROUTER_SECRET: secret(),
      ENCRYPTION_KEY: secret('base64'),
      INTERNAL_SERVICE_TOKEN: secret(),
      ...env,
    },
    signingKeysJson: JSON.stringify([await generateSigningKey()]),
    identity: {
      LOGIN_THROTTLE_ACCOUNT_LIMIT: THROTTLE_LIMIT,
      LOGIN_THROTTLE_ADDRESS_LIMIT: THROTTLE_LIMIT,
      SIGNUP_THROTTLE_ADDRESS_LIMIT: THROTTLE_LIMIT,
    },
  });
}
