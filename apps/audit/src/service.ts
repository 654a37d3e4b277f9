import { importSigningKey, parseSigningKeys, remoteKeySet } from '@compliance-graph/auth';
import { resolverContainer, startSubgraphService } from '@compliance-graph/federation';
import { CheckpointSigner } from './checkpoint/checkpoint-signer';
import type { AuditConfig } from './config';
import { AuditEventEntity } from './event/event.entity';
import { ExportService } from './export/export.service';
import { mountExport } from './export/export.route';
import { mountIngest } from './ingest/ingest.route';
import { IngestService } from './ingest/ingest.service';
import { createAuditLoaders } from './loaders';
import { LogResolver } from './log/log.resolver';
import { LogService } from './log/log.service';
import { AuditPublicKeyResolver } from './public-key/public-key.resolver';
import { AuditPublicKey } from './public-key/public-key.type';
import { buildAuditSchema } from './schema';

export const AUDIT_SCHEMA = 'audit';

export async function startAuditService(config: AuditConfig) {
  const privateKeys = parseSigningKeys(config.AUDIT_SIGNING_KEYS);
  const keys = await Promise.all(privateKeys.map(importSigningKey));
  return startSubgraphService(config, {
    service: 'audit',
    databaseSchema: AUDIT_SCHEMA,
    entities: [AuditEventEntity],
    tokenKeys: remoteKeySet(config.IDENTITY_JWKS_URL),
    wire: async (db, { logger, verifyAccessToken }) => {
      const log = new LogService(db, new CheckpointSigner(privateKeys[0]));
      const ingest = new IngestService(db);
      return {
        schema: await buildAuditSchema(
          resolverContainer([new AuditPublicKeyResolver(keys.map(AuditPublicKey.of)), new LogResolver(log)]),
        ),
        createLoaders: (principal) => createAuditLoaders(db, principal),
        routes: (app) => {
          mountIngest(app, { serviceToken: config.INTERNAL_SERVICE_TOKEN, ingest, logger });
          mountExport(app, { routerSecret: config.ROUTER_SECRET, verifyAccessToken, exports: new ExportService(db), ingest, logger });
        },
      };
    },
  });
}
