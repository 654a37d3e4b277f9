import { importSigningKey, localKeySet, parseSigningKeys } from '@compliance-graph/auth';
import { startSubgraphService } from '@compliance-graph/federation';
import type { IdentityConfig } from './config';
import { identityEntities } from './entities';
import { mountJwks } from './jwks/jwks.route';
import { createIdentityLoaders } from './loaders';
import { buildIdentitySchema } from './schema';

export const IDENTITY_SCHEMA = 'identity';

/** Starts the identity subgraph; it signs access tokens, so it verifies them with its own keys. */
export async function startIdentityService(config: IdentityConfig) {
  const keys = await Promise.all(parseSigningKeys(config.JWT_SIGNING_KEYS).map(importSigningKey));
  return startSubgraphService(config, {
    service: 'identity',
    databaseSchema: IDENTITY_SCHEMA,
    entities: identityEntities,
    tokenKeys: localKeySet(keys),
    wire: async (db) => ({
      schema: await buildIdentitySchema(),
      createLoaders: (principal) => createIdentityLoaders(db, principal),
      routes: (app) => mountJwks(app, keys),
    }),
  });
}
