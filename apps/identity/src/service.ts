import { createAccessTokenVerifier, importSigningKey, localKeySet, parseSigningKeys } from '@compliance-graph/auth';
import { createLogger } from '@compliance-graph/config';
import { createDataSource } from '@compliance-graph/db';
import { startSubgraphServer } from '@compliance-graph/federation';
import type { IdentityConfig } from './config';
import { createIdentityLoaders } from './loaders';
import { identityEntities } from './entities';
import { mountJwks } from './jwks/jwks.route';
import { buildIdentitySchema } from './schema';

export const IDENTITY_SCHEMA = 'identity';

/** Starts the identity subgraph with its database pool; `stop()` drains and closes both. */
export async function startIdentityService(config: IdentityConfig) {
  const logger = createLogger('identity', config.LOG_LEVEL);
  const keys = await Promise.all(parseSigningKeys(config.JWT_SIGNING_KEYS).map(importSigningKey));
  const db = createDataSource({
    databaseUrl: config.DATABASE_URL,
    schema: IDENTITY_SCHEMA,
    role: 'app',
    entities: identityEntities,
    poolSize: config.DATABASE_POOL_SIZE,
  });
  await db.initialize();
  return startSubgraphServer({
    service: 'identity',
    schema: await buildIdentitySchema(),
    host: config.HOST,
    port: config.PORT,
    routerSecret: config.ROUTER_SECRET,
    verifyAccessToken: createAccessTokenVerifier(localKeySet(keys), {
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    }),
    logger,
    production: config.NODE_ENV === 'production',
    checkReadiness: async () => void (await db.query('SELECT 1')),
    createLoaders: (principal) => createIdentityLoaders(db, principal),
    routes: (app) => mountJwks(app, keys),
    onStop: () => db.destroy(),
  });
}
