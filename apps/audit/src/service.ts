import { CodedError, importSigningKey, parseSigningKeys, remoteKeySet } from '@compliance-graph/auth';
import { AUDIT_TOPIC, ConsumerRefused, type OutboxConsumer } from '@compliance-graph/outbox';
import { startPeriodicWork, startSubgraphService } from '@compliance-graph/runtime';
import { CheckpointSigner } from './checkpoint/checkpoint-signer';
import { checkpointGrownLogs } from './checkpoint/checkpointer';
import type { AuditConfig } from './config';
import { AuditEventEntity } from './event/event.entity';
import { ExportService } from './export/export.service';
import { mountExport } from './export/export.route';
import { mountIngest } from './ingest/ingest.route';
import { ingestMetrics } from './ingest/ingest.metrics';
import { IngestService } from './ingest/ingest.service';
import { createAuditLoaders } from './loaders';
import { LogResolver } from './log/log.resolver';
import { NoticeTrailResolver } from './notice/notice.resolver';
import { EvidenceTrailResolver, MembershipTrailResolver } from './trail/trail.resolver';
import { LogService } from './log/log.service';
import { AuditPublicKeyResolver } from './public-key/public-key.resolver';
import { AuditPublicKey } from './public-key/public-key.type';
import { mountProofs } from './proofs/proofs.route';
import { SubjectProofsService } from './proofs/subject-proofs.service';
import { buildAuditSchema } from './schema';

export const AUDIT_SCHEMA = 'audit';

/** Audit's own outbox holds only the platform records of its migrations: a slow poll is plenty. */
const OWN_OUTBOX_POLL_INTERVAL_MS = 5_000;

/**
 * The consumer of audit's own outbox: its ingest, in-process (no credential, no HTTP). A record
 * the ingest refuses is a refusal (dead after a few); any other failure is retried.
 */
function ownIngestConsumer(ingest: () => IngestService | undefined): OutboxConsumer {
  return {
    topic: AUDIT_TOPIC,
    deliver: async (_topic, messages) => {
      const wired = ingest();
      // The relay starts before the service is wired; until then, its first poll just retries.
      if (!wired) throw new Error('the audit ingest is not wired yet');
      try {
        await wired.ingest(messages.map((message) => message.payload));
      } catch (error) {
        throw error instanceof CodedError && error.code === 'BAD_USER_INPUT' ? new ConsumerRefused(error.message) : error;
      }
    },
  };
}

export async function startAuditService(config: AuditConfig) {
  const privateKeys = parseSigningKeys(config.AUDIT_SIGNING_KEYS);
  const keys = await Promise.all(privateKeys.map(importSigningKey));
  let wiredIngest: IngestService | undefined;
  return startSubgraphService(config, {
    service: 'audit',
    databaseSchema: AUDIT_SCHEMA,
    entities: [AuditEventEntity],
    tokenKeys: remoteKeySet(config.IDENTITY_JWKS_URL),
    outbox: { consumers: [ownIngestConsumer(() => wiredIngest)], pollIntervalMs: OWN_OUTBOX_POLL_INTERVAL_MS },
    wire: async (db, { logger, verifyAccessToken, metrics }) => {
      const log = new LogService(db, new CheckpointSigner(privateKeys[0]));
      const ingest = new IngestService(db, ingestMetrics(metrics));
      wiredIngest = ingest;
      const checkpointer = await startPeriodicWork(
        { name: 'checkpointer', databaseWorkerUrl: config.DATABASE_WORKER_URL, schema: AUDIT_SCHEMA, intervalMs: config.AUDIT_CHECKPOINT_INTERVAL_SECONDS * 1000, logger },
        (workerDb, workLogger) => checkpointGrownLogs(workerDb, log, workLogger),
      );
      return {
        schema: await buildAuditSchema([
          new AuditPublicKeyResolver(keys.map(AuditPublicKey.of)),
          new LogResolver(log),
          new EvidenceTrailResolver(),
          new MembershipTrailResolver(),
          new NoticeTrailResolver(),
        ]),
        createLoaders: (principal) => createAuditLoaders(db, log, principal),
        routes: (app) => {
          mountIngest(app, { credentials: config.INGEST_CREDENTIALS, ingest, logger });
          mountProofs(app, { credentials: config.INGEST_CREDENTIALS, proofs: new SubjectProofsService(db, log, keys[0].publicJwk), logger });
          mountExport(app, { routerSecret: config.ROUTER_SECRET, verifyAccessToken, exports: new ExportService(db), ingest, logger });
        },
        onStop: () => checkpointer.stop(),
      };
    },
  });
}
