import { importSigningKey, parseSigningKeys, remoteKeySet } from '@compliance-graph/auth';
import { resolverContainer, startSubgraphService } from '@compliance-graph/federation';
import type { AuditConfig } from './config';
import { AuditPublicKeyResolver } from './public-key/public-key.resolver';
import { AuditPublicKey } from './public-key/public-key.type';
import { buildAuditSchema } from './schema';

export const AUDIT_SCHEMA = 'audit';

export async function startAuditService(config: AuditConfig) {
  const keys = await Promise.all(parseSigningKeys(config.AUDIT_SIGNING_KEYS).map(importSigningKey));
  return startSubgraphService(config, {
    service: 'audit',
    databaseSchema: AUDIT_SCHEMA,
    entities: [],
    tokenKeys: remoteKeySet(config.IDENTITY_JWKS_URL),
    wire: async () => ({
      schema: await buildAuditSchema(resolverContainer([new AuditPublicKeyResolver(keys.map(AuditPublicKey.of))])),
      createLoaders: () => ({}),
    }),
  });
}
