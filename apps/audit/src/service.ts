import { createAccessTokenVerifier, importSigningKey, parseSigningKeys, remoteKeySet } from '@compliance-graph/auth';
import { createLogger } from '@compliance-graph/config';
import { createDataSource } from '@compliance-graph/db';
import { resolverContainer, startSubgraphServer } from '@compliance-graph/federation';
import type { AuditConfig } from './config';
import { AuditPublicKeyResolver } from './public-key/public-key.resolver';
import { AuditPublicKey } from './public-key/public-key.type';
import { buildAuditSchema } from './schema';

export const AUDIT_SCHEMA = 'audit';

/** Starts the audit subgraph with its database pool; `stop()` drains and closes both. */
export async function startAuditService(config: AuditConfig) {
  const logger = createLogger('audit', config.LOG_LEVEL);
  const keys = await Promise.all(parseSigningKeys(config.AUDIT_SIGNING_KEYS).map(importSigningKey));
  const db = createDataSource({
    databaseUrl: config.DATABASE_URL,
    schema: AUDIT_SCHEMA,
    role: 'app',
    poolSize: config.DATABASE_POOL_SIZE,
  });
  await db.initialize();
  const resolvers = resolverContainer([new AuditPublicKeyResolver(keys.map(AuditPublicKey.of))]);
  return startSubgraphServer({
    service: 'audit',
    schema: await buildAuditSchema(resolvers),
    host: config.HOST,
    port: config.PORT,
    routerSecret: config.ROUTER_SECRET,
    verifyAccessToken: createAccessTokenVerifier(remoteKeySet(config.IDENTITY_JWKS_URL), {
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    }),
    logger,
    production: config.NODE_ENV === 'production',
    checkReadiness: async () => void (await db.query('SELECT 1')),
    createLoaders: () => ({}),
    onStop: () => db.destroy(),
  });
}
