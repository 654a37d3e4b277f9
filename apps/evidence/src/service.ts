import { remoteKeySet } from '@compliance-graph/auth';
import { auditIngestConsumer } from '@compliance-graph/outbox';
import { startPeriodicWork, startSubgraphService } from '@compliance-graph/runtime';
import { mountAccessReviewReports } from './access-review/access-review-report.route';
import { AccessReviewReportService } from './access-review/access-review-report.service';
import { AccessReviewResolver } from './access-review/access-review.resolver';
import type { EvidenceConfig } from './config';
import { DecisionResolver } from './decision/decision.resolver';
import { evidenceEntities } from './entities';
import { EvidenceResolver } from './evidence/evidence.resolver';
import { EvidenceService } from './evidence/evidence.service';
import { createEvidenceLoaders } from './loaders';
import { ProofpackResolver } from './proofpack/proofpack.resolver';
import { mountProofpackDownload } from './proofpack/proofpack.route';
import { ProofpackService } from './proofpack/proofpack.service';
import { ProofpackSigner } from './proofpack/proofpack-signer';
import { RevisionResolver } from './revision/revision.resolver';
import { buildEvidenceSchema } from './schema';
import { openBlobStore } from './storage/open-blob-store';
import { collectExpiredUploads } from './upload/upload-collector';
import { mountUploads } from './upload/upload.route';
import { UploadService } from './upload/upload.service';

export const EVIDENCE_SCHEMA = 'evidence';

export async function startEvidenceService(config: EvidenceConfig) {
  return startSubgraphService(config, {
    service: 'evidence',
    databaseSchema: EVIDENCE_SCHEMA,
    entities: evidenceEntities,
    tokenKeys: remoteKeySet(config.IDENTITY_JWKS_URL),
    outbox:
      config.OUTBOX_RELAY === 'on'
        ? { consumers: [auditIngestConsumer(config.AUDIT_URL, config.INTERNAL_SERVICE_TOKEN)], pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS }
        : undefined,
    wire: async (db, { logger, verifyAccessToken }) => {
      const evidence = new EvidenceService(db);
      const blobs = openBlobStore(config);
      const uploads = new UploadService(db, blobs, config.MAX_UPLOAD_BYTES);
      const signer = new ProofpackSigner(config.PROOFPACK_SIGNING_KEYS);
      const proofpacks = new ProofpackService(db, {
        blobs,
        signer,
        audit: { url: config.AUDIT_URL, credential: config.INTERNAL_SERVICE_TOKEN },
        auditWaitMs: config.PROOFPACK_AUDIT_WAIT_MS,
        maxPackageBytes: config.MAX_PROOFPACK_BYTES,
      });
      const reports = new AccessReviewReportService(db, blobs);
      const collector = await startPeriodicWork(
        { name: 'upload-collector', databaseWorkerUrl: config.DATABASE_WORKER_URL, schema: EVIDENCE_SCHEMA, intervalMs: config.UPLOAD_COLLECTOR_INTERVAL_SECONDS * 1000, logger },
        async (workerDb, workLogger) => {
          const collected = await collectExpiredUploads(workerDb, blobs, config.UPLOAD_RETENTION_HOURS);
          if (collected.uploads > 0) workLogger.info(collected, 'unclaimed uploads collected');
        },
      );
      return {
        schema: await buildEvidenceSchema([new EvidenceResolver(evidence), new RevisionResolver(), new DecisionResolver(), new ProofpackResolver(proofpacks, signer), new AccessReviewResolver()]),
        createLoaders: (principal) => createEvidenceLoaders(db, principal),
        routes: (app) => {
          mountUploads(app, { routerSecret: config.ROUTER_SECRET, verifyAccessToken, uploads, logger });
          mountProofpackDownload(app, { routerSecret: config.ROUTER_SECRET, verifyAccessToken, proofpacks, logger });
          mountAccessReviewReports(app, { identityToken: config.IDENTITY_REPORT_TOKEN, reports, logger });
        },
        onStop: async () => {
          await collector.stop();
          blobs.close?.();
        },
      };
    },
  });
}
