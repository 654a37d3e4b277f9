import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Readable } from 'node:stream';
import canonicalize from 'canonicalize';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { badUserInput, conflict, notFound, type Principal } from '@compliance-graph/auth';
import { isUuid, withTenant } from '@compliance-graph/db';
import { AUDIT_PROOFS, callInternalApi } from '@compliance-graph/internal-api';
import type { Caller } from '@compliance-graph/outbox';
import { BAG, PROOFPACK_FORMAT, controlCoverage, coverageCsv, revisionPath, sha256Hex, type ManifestEvidence, type ProofpackManifest } from '@compliance-graph/proofpack';
import { recordEvidenceAudit } from '../audit';
import { DecisionEntity } from '../decision/decision.entity';
import { EvidenceEntity, EvidenceStatus } from '../evidence/evidence.entity';
import { RevisionEntity } from '../revision/revision.entity';
import type { BlobStore } from '../storage/blob-store';
import { lockBlobAddress } from '../upload/upload.store';
import { MAX_PROOFPACK_ITEMS, assertText, optionalText } from '../validation';
import { writeBag, type PayloadFile } from './bag-writer';
import { ProofpackEntity, ProofpackItemEntity, ProofpackStatus } from './proofpack.entity';
import type { ProofpackSigner } from './proofpack-signer';
import { auditBacklog } from './proofpack.store';

export interface ProofpackOptions {
  blobs: BlobStore;
  signer: ProofpackSigner;
  /** The audit service, and this service's credential there (the one its outbox relay presents). */
  audit: { url: string; credential: string };
  /** How long sealing waits for the audit log to append the pack's pending events. */
  auditWaitMs: number;
  /** The largest ZIP a seal writes. */
  maxPackageBytes: number;
}

const AUDIT_POLL_MS = 100;
const AUDIT_PROOFS_TIMEOUT_MS = 30_000;

/** Proofpacks: assembled from evidence, sealed once into a signed BagIt ZIP with the audit log's proofs, downloaded as stored. */
export class ProofpackService {
  constructor(
    private readonly db: DataSource,
    private readonly options: ProofpackOptions,
  ) {}

  list(principal: Principal): Promise<ProofpackEntity[]> {
    return withTenant(this.db, principal, (tx) => tx.find(ProofpackEntity, { order: { createdAt: 'DESC', id: 'DESC' } }));
  }

  async create(principal: Principal, caller: Caller, title: string, description: string | null | undefined, evidenceIds: readonly string[]): Promise<ProofpackEntity> {
    const name = assertText(title, 'title');
    const about = optionalText(description, 'description');
    const ids = [...new Set(evidenceIds)];
    if (ids.length === 0 || ids.length > MAX_PROOFPACK_ITEMS) throw badUserInput(`evidenceIds names 1 to ${MAX_PROOFPACK_ITEMS} items`);
    const malformed = ids.find((id) => !isUuid(id));
    if (malformed) throw badUserInput('evidenceIds must be UUIDs');
    return withTenant(this.db, principal, async (tx) => {
      const found = new Set((await tx.find(EvidenceEntity, { select: { id: true }, where: { id: In(ids) } })).map((e) => e.id));
      const missing = ids.find((id) => !found.has(id));
      if (missing) throw notFound(`No such evidence: ${missing}`);
      const pack = tx.create(ProofpackEntity, {
        id: randomUUID(),
        tenantId: principal.tenantId,
        title: name,
        description: about,
        status: ProofpackStatus.OPEN,
        createdById: principal.subjectId,
      });
      await tx.insert(ProofpackEntity, pack);
      await tx.insert(
        ProofpackItemEntity,
        ids.map((evidenceId, position) => ({ proofpackId: pack.id, evidenceId, tenantId: principal.tenantId, position })),
      );
      await recordEvidenceAudit(tx, caller, {
        tenantId: principal.tenantId,
        action: 'proofpack.created',
        subjectType: 'Proofpack',
        subjectId: pack.id,
        data: { title: name, evidenceIds: ids },
      });
      return pack;
    });
  }

  /**
   * Seals an OPEN pack whose every item is APPROVED, in one transaction: the items are locked
   * against new revisions and decisions; the audit log is given a bounded time to append the
   * pack's events; their inclusion proofs against one signed checkpoint come from the audit
   * service; the manifest is signed and the bag written once to the blob store, which serves
   * every download from then on.
   */
  seal(principal: Principal, caller: Caller, id: string): Promise<ProofpackEntity> {
    if (!isUuid(id)) throw badUserInput('id must be a UUID');
    return withTenant(this.db, principal, async (tx) => {
      const pack = await tx.findOne(ProofpackEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!pack) throw notFound('No such proofpack');
      if (pack.status === ProofpackStatus.SEALED) throw conflict('This proofpack is sealed: it does not change any more');
      const items = await this.lockedItems(tx, pack.id);
      const unapproved = items.filter((item) => item.status !== EvidenceStatus.APPROVED);
      if (unapproved.length > 0) throw conflict(`Only APPROVED evidence is sealed; not yet: ${unapproved.map((item) => `"${item.title}"`).join(', ')}`);
      await this.awaitAuditLog(tx);
      const evidenceIds = items.map((item) => item.id);
      const revisions = await tx.find(RevisionEntity, { where: { evidenceId: In(evidenceIds) }, order: { version: 'ASC' } });
      const decisions = await tx.find(DecisionEntity, { where: { evidenceId: In(evidenceIds) }, order: { decidedAt: 'ASC', id: 'ASC' } });
      const proofs = await callInternalApi(this.options.audit.url, AUDIT_PROOFS, {
        bearer: this.options.audit.credential,
        routerSecret: '',
        body: { tenantId: principal.tenantId, subjects: [{ type: 'Proofpack', id: pack.id }, ...evidenceIds.map((evidenceId) => ({ type: 'Evidence', id: evidenceId }))] },
        timeoutMs: AUDIT_PROOFS_TIMEOUT_MS,
      });
      assertAudited(pack, revisions, decisions, proofs.events);

      const sealedAt = new Date();
      const evidence = items.map((item) => manifestEvidence(item, revisions, decisions));
      const manifest: ProofpackManifest = {
        format: PROOFPACK_FORMAT,
        signingKeyId: this.options.signer.keyId,
        proofpack: {
          id: pack.id,
          tenantId: pack.tenantId,
          title: pack.title,
          description: pack.description,
          createdAt: pack.createdAt.toISOString(),
          createdBy: pack.createdById,
          sealedAt: sealedAt.toISOString(),
          sealedBy: principal.subjectId,
        },
        evidence,
        coverage: controlCoverage(evidence),
        audit: { checkpoint: proofs.checkpoint, events: proofs.events },
      };
      // RFC 8785 canonical JSON: the signed bytes are the same whoever re-serialises the object.
      const manifestBytes = Buffer.from(canonicalize(manifest)!);
      const signature = this.options.signer.sign(manifestBytes);
      const staged = await this.options.blobs.stage(this.bag(manifest, manifestBytes, signature, proofs.checkpointKey, sealedAt), {
        maxBytes: this.options.maxPackageBytes,
      });
      try {
        await lockBlobAddress(tx, staged.sha256);
        const sealed = {
          status: ProofpackStatus.SEALED,
          sealedAt,
          sealedById: principal.subjectId,
          manifestSha256: sha256Hex(manifestBytes),
          signature,
          keyId: this.options.signer.keyId,
          packageSha256: staged.sha256,
          packageSizeBytes: staged.sizeBytes,
        };
        await tx.update(ProofpackEntity, { id: pack.id }, sealed);
        await recordEvidenceAudit(tx, caller, {
          tenantId: principal.tenantId,
          action: 'proofpack.sealed',
          subjectType: 'Proofpack',
          subjectId: pack.id,
          data: { manifestSha256: sealed.manifestSha256, packageSha256: staged.sha256, keyId: sealed.keyId, checkpointTreeSize: proofs.checkpoint.treeSize, evidenceIds },
        });
        await staged.commit();
        return Object.assign(pack, sealed);
      } finally {
        await staged.discard();
      }
    });
  }

  /** A sealed pack's stored ZIP, its download recorded (who, and which bytes) before a byte is sent. */
  download(principal: Principal, caller: Caller, id: string): Promise<{ pack: ProofpackEntity; open: () => Readable }> {
    if (!isUuid(id)) throw notFound('No such proofpack');
    return withTenant(this.db, principal, async (tx) => {
      const pack = await tx.findOneBy(ProofpackEntity, { id });
      if (!pack) throw notFound('No such proofpack');
      if (pack.status !== ProofpackStatus.SEALED || !pack.packageSha256) throw conflict('Only a sealed proofpack downloads');
      await recordEvidenceAudit(tx, caller, {
        tenantId: principal.tenantId,
        action: 'proofpack.downloaded',
        subjectType: 'Proofpack',
        subjectId: pack.id,
        data: { packageSha256: pack.packageSha256, manifestSha256: pack.manifestSha256 },
      });
      const sha256 = pack.packageSha256;
      return { pack, open: () => this.options.blobs.open(sha256) };
    });
  }

  /** The pack's evidence in its order, locked so that no revision or decision lands while it is sealed. */
  private async lockedItems(tx: EntityManager, proofpackId: string): Promise<EvidenceEntity[]> {
    const order = await tx.find(ProofpackItemEntity, { where: { proofpackId }, order: { position: 'ASC' } });
    const rows = await tx.find(EvidenceEntity, { where: { id: In(order.map((item) => item.evidenceId)) }, lock: { mode: 'pessimistic_read' } });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return order.map((item) => byId.get(item.evidenceId)!);
  }

  /** Waits, bounded, until the audit log has appended every event this tenant's outbox held when sealing began. */
  private async awaitAuditLog(tx: EntityManager): Promise<void> {
    const { lastPosition } = await auditBacklog(tx, null);
    if (lastPosition === null) return;
    for (const deadline = Date.now() + this.options.auditWaitMs; ; await sleep(AUDIT_POLL_MS)) {
      const { pending, dead } = await auditBacklog(tx, lastPosition);
      if (dead > 0) throw conflict('An audit event of this tenant was refused by the audit log; a platform operator must replay it before sealing');
      if (pending === 0) return;
      if (Date.now() > deadline) throw conflict(`The audit log has not yet appended ${pending} event(s) of this tenant; seal again in a moment`);
    }
  }

  private bag(manifest: ProofpackManifest, manifestBytes: Buffer, signature: string, checkpointKey: Record<string, unknown>, sealedAt: Date): Readable {
    const text = (path: string, content: string): PayloadFile => {
      const bytes = Buffer.from(content);
      return { path, content: bytes, sha256: sha256Hex(bytes), sizeBytes: bytes.length };
    };
    const files: PayloadFile[] = [
      text(BAG.proofpack, manifestBytes.toString()),
      text(BAG.signature, `${signature}\n`),
      text(BAG.keys, JSON.stringify({ keys: [this.options.signer.currentKey.publicKeyJwk, checkpointKey] }, null, 2)),
      text(BAG.coverage, coverageCsv(manifest)),
      ...manifest.evidence.flatMap((item) =>
        item.revisions.map((revision) => ({ path: revision.path, sha256: revision.sha256, sizeBytes: revision.sizeBytes, content: () => this.options.blobs.open(revision.sha256) })),
      ),
    ];
    return writeBag({ sourceOrganization: 'Compliance Graph', externalIdentifier: `proofpack:${manifest.proofpack.id}`, sealedAt, payload: files });
  }
}

function manifestEvidence(item: EvidenceEntity, revisions: RevisionEntity[], decisions: DecisionEntity[]): ManifestEvidence {
  return {
    id: item.id,
    title: item.title,
    description: item.description,
    controlRefs: item.controlRefs,
    sourceKind: item.sourceKind,
    sourceRef: item.sourceRef,
    collectedAt: item.collectedAt.toISOString(),
    validUntil: item.validUntil?.toISOString() ?? null,
    status: item.status,
    createdAt: item.createdAt.toISOString(),
    createdBy: item.createdById,
    revisions: revisions
      .filter((revision) => revision.evidenceId === item.id)
      .map((revision) => ({
        id: revision.id,
        version: revision.version,
        sha256: revision.sha256,
        sizeBytes: revision.sizeBytes,
        contentType: revision.contentType,
        fileName: revision.fileName,
        uploadedAt: revision.uploadedAt.toISOString(),
        uploadedBy: revision.uploadedById,
        path: revisionPath(item.id, revision.version, revision.fileName),
      })),
    decisions: decisions
      .filter((decision) => decision.evidenceId === item.id)
      .map((decision) => ({
        id: decision.id,
        decision: decision.decision,
        rationale: decision.rationale,
        decidedAt: decision.decidedAt.toISOString(),
        decidedBy: decision.decidedById,
      })),
  };
}

/**
 * Every revision and decision the pack states, and the pack's creation, must have its audit
 * record among the proven ones: a pack is sealed only once the log attests its whole history.
 */
function assertAudited(
  pack: ProofpackEntity,
  revisions: RevisionEntity[],
  decisions: DecisionEntity[],
  events: ReadonlyArray<{ record: Record<string, unknown> }>,
): void {
  const recorded = (action: string, subjectId: string, key?: string, value?: string) =>
    events.some(({ record }) => {
      if (record.action !== action || record.subjectId !== subjectId) return false;
      return key === undefined || (record.data as Record<string, unknown> | null)?.[key] === value;
    });
  const missing =
    (recorded('proofpack.created', pack.id) ? 0 : 1) +
    revisions.filter((r) => !recorded('evidence.revision_added', r.evidenceId, 'revisionId', r.id)).length +
    decisions.filter((d) => !recorded('evidence.decided', d.evidenceId, 'decisionId', d.id)).length;
  if (missing > 0) throw conflict(`The audit log does not yet prove ${missing} change(s) of this pack; seal again in a moment`);
}
