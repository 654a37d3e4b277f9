import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { badUserInput, conflict, forbidden, notFound, type Principal } from '@compliance-graph/auth';
import { isUuid, withTenant } from '@compliance-graph/db';
import { connection, pageRequest } from '@compliance-graph/federation';
import type { Caller } from '@compliance-graph/outbox';
import { recordEvidenceAudit } from '../audit';
import { DecisionEntity, EvidenceDecisionKind } from '../decision/decision.entity';
import { RevisionEntity, contentOf } from '../revision/revision.entity';
import { claimUpload } from '../upload/upload.service';
import { assertControlRefs, assertHttpUrl, assertText, assertValidity, optionalText } from '../validation';
import { EvidenceEntity, EvidenceSourceKind, EvidenceStatus } from './evidence.entity';
import type { CreateEvidenceInput, EvidenceConnection, EvidenceFilter } from './evidence.types';

/** Items sort newest first, by creation time then id; the cursor is that pair. */
type EvidenceKey = [string, string];
const isEvidenceKey = (value: unknown): value is EvidenceKey =>
  Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string') && !Number.isNaN(Date.parse(value[0])) && isUuid(value[1]);

/** `search` is matched literally: LIKE's wildcards in it are escaped. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const OUTCOME: Record<EvidenceDecisionKind, EvidenceStatus> = {
  [EvidenceDecisionKind.APPROVE]: EvidenceStatus.APPROVED,
  [EvidenceDecisionKind.REJECT]: EvidenceStatus.REJECTED,
};

/** Evidence items, their immutable revisions and their decision history, each change audited. */
export class EvidenceService {
  constructor(private readonly db: DataSource) {}

  list(principal: Principal, filter: EvidenceFilter | null | undefined, first?: number | null, after?: string | null): Promise<EvidenceConnection> {
    const page = pageRequest(first, after, isEvidenceKey);
    return withTenant(this.db, principal, async (tx) => {
      const query = tx.createQueryBuilder(EvidenceEntity, 'e');
      if (filter?.status) query.andWhere('e.status = :status', { status: filter.status });
      if (filter?.controlRef) query.andWhere(':controlRef = ANY(e.controlRefs)', { controlRef: filter.controlRef });
      if (filter?.search?.trim()) {
        query.andWhere(`(e.title ILIKE :pattern OR e.description ILIKE :pattern OR e.sourceRef ILIKE :pattern)`, { pattern: likePattern(filter.search.trim()) });
      }
      if (filter?.expiringBefore) query.andWhere('e.validUntil < :expiringBefore', { expiringBefore: filter.expiringBefore });
      const totalCount = await query.getCount();
      if (page.after) query.andWhere('(e.createdAt, e.id) < (:at, :id)', { at: page.after[0], id: page.after[1] });
      const rows = await query.orderBy('e.createdAt', 'DESC').addOrderBy('e.id', 'DESC').take(page.first + 1).getMany();
      return connection(rows, page.first, totalCount, (e): EvidenceKey => [e.createdAt.toISOString(), e.id]);
    });
  }

  /** A new DRAFT item with its provenance, and its first revision when it comes with an upload. */
  async create(principal: Principal, caller: Caller, input: CreateEvidenceInput): Promise<EvidenceEntity> {
    const title = assertText(input.title, 'title');
    const description = optionalText(input.description, 'description');
    const controlRefs = assertControlRefs(input.controlRefs);
    const sourceRef = assertText(input.sourceRef, 'sourceRef');
    if (input.sourceKind === EvidenceSourceKind.URL) assertHttpUrl(sourceRef, 'sourceRef');
    if (input.sourceKind === EvidenceSourceKind.UPLOAD && !input.uploadId) throw badUserInput('uploadId is required when sourceKind is UPLOAD');
    assertValidity(input.collectedAt, input.validUntil);
    return withTenant(this.db, principal, async (tx) => {
      const evidence = tx.create(EvidenceEntity, {
        id: randomUUID(),
        tenantId: principal.tenantId,
        title,
        description,
        controlRefs,
        sourceKind: input.sourceKind,
        sourceRef,
        collectedAt: input.collectedAt,
        validUntil: input.validUntil ?? null,
        status: EvidenceStatus.DRAFT,
        createdById: principal.subjectId,
      });
      await tx.insert(EvidenceEntity, evidence);
      await recordEvidenceAudit(tx, caller, {
        tenantId: principal.tenantId,
        action: 'evidence.created',
        subjectType: 'Evidence',
        subjectId: evidence.id,
        data: {
          title,
          controlRefs,
          sourceKind: input.sourceKind,
          sourceRef,
          collectedAt: input.collectedAt.toISOString(),
          validUntil: input.validUntil?.toISOString() ?? null,
        },
      });
      if (input.uploadId) await this.appendRevision(tx, principal, caller, evidence, input.uploadId);
      return evidence;
    });
  }

  /** A new immutable revision; an item that was submitted or decided goes back to DRAFT, its decisions kept. */
  addRevision(principal: Principal, caller: Caller, evidenceId: string, uploadId: string): Promise<EvidenceEntity> {
    return withTenant(this.db, principal, async (tx) => {
      const evidence = await this.lockedItem(tx, evidenceId);
      await this.appendRevision(tx, principal, caller, evidence, uploadId);
      return evidence;
    });
  }

  submit(principal: Principal, caller: Caller, evidenceId: string): Promise<EvidenceEntity> {
    return withTenant(this.db, principal, async (tx) => {
      const evidence = await this.lockedItem(tx, evidenceId);
      if (evidence.status !== EvidenceStatus.DRAFT) throw conflict(`Only a DRAFT item is submitted; this one is ${evidence.status}`);
      await this.changeStatus(tx, evidence, EvidenceStatus.SUBMITTED);
      await recordEvidenceAudit(tx, caller, { tenantId: principal.tenantId, action: 'evidence.submitted', subjectType: 'Evidence', subjectId: evidence.id });
      return evidence;
    });
  }

  /**
   * Approves or rejects a submitted item, with a rationale. Segregation of duties: neither the
   * item's creator nor the uploader of its current revision decides it.
   */
  decide(principal: Principal, caller: Caller, evidenceId: string, decision: EvidenceDecisionKind, rationale: string): Promise<EvidenceEntity> {
    const why = assertText(rationale, 'rationale');
    return withTenant(this.db, principal, async (tx) => {
      const evidence = await this.lockedItem(tx, evidenceId);
      if (evidence.status !== EvidenceStatus.SUBMITTED) throw conflict(`Only a SUBMITTED item is decided; this one is ${evidence.status}`);
      const current = await this.currentRevision(tx, evidence.id);
      if (evidence.createdById === principal.subjectId) throw forbidden('Nobody decides evidence they created');
      if (current?.uploadedById === principal.subjectId) throw forbidden('Nobody decides evidence whose current revision they uploaded');
      const recorded = tx.create(DecisionEntity, {
        id: randomUUID(),
        tenantId: principal.tenantId,
        evidenceId: evidence.id,
        revisionVersion: current?.version ?? null,
        decision,
        rationale: why,
        decidedAt: new Date(),
        decidedById: principal.subjectId,
      });
      await tx.insert(DecisionEntity, recorded);
      await this.changeStatus(tx, evidence, OUTCOME[decision]);
      await recordEvidenceAudit(tx, caller, {
        tenantId: principal.tenantId,
        action: 'evidence.decided',
        subjectType: 'Evidence',
        subjectId: evidence.id,
        reason: why,
        data: { decisionId: recorded.id, decision, revisionVersion: recorded.revisionVersion, status: evidence.status },
      });
      return evidence;
    });
  }

  /** The item, locked: revisions, submission and decisions of one item queue, so versions have no gaps and states no races. */
  private async lockedItem(tx: EntityManager, evidenceId: string): Promise<EvidenceEntity> {
    if (!isUuid(evidenceId)) throw badUserInput('id must be a UUID');
    const evidence = await tx.findOne(EvidenceEntity, { where: { id: evidenceId }, lock: { mode: 'pessimistic_write' } });
    if (!evidence) throw notFound('No such evidence');
    return evidence;
  }

  private currentRevision(tx: EntityManager, evidenceId: string): Promise<RevisionEntity | null> {
    return tx.findOne(RevisionEntity, { where: { evidenceId }, order: { version: 'DESC' } });
  }

  private async changeStatus(tx: EntityManager, evidence: EvidenceEntity, status: EvidenceStatus): Promise<void> {
    await tx.update(EvidenceEntity, { id: evidence.id }, { status });
    evidence.status = status;
  }

  /** Claims the upload as the item's next version; its audit event carries the content's hash, so the log attests when the file existed. */
  private async appendRevision(tx: EntityManager, principal: Principal, caller: Caller, evidence: EvidenceEntity, uploadId: string): Promise<void> {
    const upload = await claimUpload(tx, principal, uploadId);
    const version = ((await this.currentRevision(tx, evidence.id))?.version ?? 0) + 1;
    const revision = tx.create(RevisionEntity, {
      id: randomUUID(),
      tenantId: principal.tenantId,
      evidenceId: evidence.id,
      version,
      ...contentOf(upload),
    });
    await tx.insert(RevisionEntity, revision);
    const statusBefore = evidence.status;
    if (statusBefore !== EvidenceStatus.DRAFT) await this.changeStatus(tx, evidence, EvidenceStatus.DRAFT);
    await recordEvidenceAudit(tx, caller, {
      tenantId: principal.tenantId,
      action: 'evidence.revision_added',
      subjectType: 'Evidence',
      subjectId: evidence.id,
      data: {
        revisionId: revision.id,
        version,
        sha256: revision.sha256,
        sizeBytes: revision.sizeBytes,
        contentType: revision.contentType,
        fileName: revision.fileName,
        statusBefore,
      },
    });
  }
}
