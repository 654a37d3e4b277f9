import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { DataSource, EntityManager } from 'typeorm';
import { badUserInput } from '@compliance-graph/auth';
import { withTenant } from '@compliance-graph/db';
import { ACCESS_REVIEW_CSV_MAX_BYTES, type AccessReviewCompleted } from '@compliance-graph/internal-api';
import type { Actor, Caller } from '@compliance-graph/outbox';
import { recordEvidenceAudit } from '../audit';
import { DecisionEntity, EvidenceDecisionKind } from '../decision/decision.entity';
import { EvidenceEntity, EvidenceSourceKind, EvidenceStatus } from '../evidence/evidence.entity';
import { RevisionEntity, contentOf } from '../revision/revision.entity';
import type { BlobStore, StagedBlob } from '../storage/blob-store';
import { storeUpload } from '../upload/upload.service';
import { AccessReviewReportEntity } from './access-review-report.entity';
import { lockAccessReview } from './access-review-report.store';

/**
 * The controls a review of access rights evidences: ISO/IEC 27001:2022 A.5.18 (access rights
 * are provisioned, reviewed at regular intervals and removed), SOC 2 CC6.2 (access no longer
 * authorised is removed) and CC6.3 (access is modified by role, least privilege).
 */
export const ACCESS_REVIEW_CONTROLS = ['ISO27001:A.5.18', 'SOC2:CC6.2', 'SOC2:CC6.3'];

export const REPORT_CONTENT_TYPE = 'text/csv; charset=utf-8';

/**
 * Nobody signed in acts here: the report follows from identity's message. The events say so,
 * and name the review and the user who completed it in their data.
 */
const SYSTEM: Actor = { kind: 'SYSTEM', id: null };
const NO_REQUEST: Caller = { clientIp: null, userAgent: null };

export interface ReportMessage {
  /** The outbox message's id. */
  id: string;
  payload: AccessReviewCompleted;
}

/**
 * Completed access reviews' reports, recorded as SYSTEM evidence already APPROVED by the review
 * itself: the review was the decision, so the segregation of duties that keeps a creator from
 * deciding their own evidence does not apply, and creator and decider are both the user who
 * completed it.
 */
export class AccessReviewReportService {
  constructor(
    private readonly db: DataSource,
    private readonly blobs: BlobStore,
  ) {}

  async recordAll(messages: readonly ReportMessage[]): Promise<{ recorded: number; duplicates: number }> {
    let recorded = 0;
    for (const message of messages) if (await this.record(message)) recorded += 1;
    return { recorded, duplicates: messages.length - recorded };
  }

  /**
   * Records one report, or nothing when its message or its review was recorded before (false).
   * A CSV that does not match its hash is refused (BAD_USER_INPUT, 400): the relay counts the
   * refusal against the message and sets it aside as dead after its refusals, since sending the
   * same bytes again cannot help.
   */
  async record({ id: eventId, payload: report }: ReportMessage): Promise<boolean> {
    const csv = Buffer.from(report.csv, 'utf8');
    if (createHash('sha256').update(csv).digest('hex') !== report.csvSha256) throw badUserInput('csvSha256 does not match the CSV');
    return withTenant(this.db, report.tenantId, async (tx) => {
      await lockAccessReview(tx, report.reviewId);
      const known = await tx.exists(AccessReviewReportEntity, { where: [{ id: report.reviewId }, { eventId }] });
      if (known) return false;
      const staged = await this.blobs.stage(Readable.from([csv]), { maxBytes: ACCESS_REVIEW_CSV_MAX_BYTES });
      try {
        await this.recordReport(tx, eventId, report, staged);
      } finally {
        await staged.discard();
      }
      return true;
    });
  }

  /** The item, its one revision (the CSV, claimed at once so the collector keeps it), the review's approval, and the report row. */
  private async recordReport(tx: EntityManager, eventId: string, report: AccessReviewCompleted, staged: StagedBlob): Promise<void> {
    const { tenantId, reviewId, completedBy } = report;
    const about = { accessReviewId: reviewId, completedBy };
    const audit = (action: string, evidenceId: string, details: Record<string, unknown>, reason?: string) =>
      recordEvidenceAudit(tx, NO_REQUEST, { tenantId, action, actor: SYSTEM, subjectType: 'Evidence', subjectId: evidenceId, reason, data: { ...details, ...about } });

    const evidence = tx.create(EvidenceEntity, {
      id: randomUUID(),
      tenantId,
      title: report.title,
      description: descriptionOf(report),
      controlRefs: ACCESS_REVIEW_CONTROLS,
      sourceKind: EvidenceSourceKind.SYSTEM,
      sourceRef: `identity:access-review:${reviewId}`,
      collectedAt: new Date(report.completedAt),
      validUntil: null,
      status: EvidenceStatus.DRAFT,
      createdById: completedBy,
    });
    await tx.insert(EvidenceEntity, evidence);
    await audit('evidence.created', evidence.id, {
      title: evidence.title,
      controlRefs: evidence.controlRefs,
      sourceKind: evidence.sourceKind,
      sourceRef: evidence.sourceRef,
      collectedAt: report.completedAt,
      validUntil: null,
    });

    const upload = await storeUpload(tx, staged, {
      tenantId,
      uploadedById: completedBy,
      contentType: REPORT_CONTENT_TYPE,
      fileName: `access-review-${reviewId}.csv`,
      claimedAt: new Date(),
    });
    const revision = tx.create(RevisionEntity, {
      id: randomUUID(),
      tenantId,
      evidenceId: evidence.id,
      version: 1,
      ...contentOf(upload),
    });
    await tx.insert(RevisionEntity, revision);
    await audit('evidence.revision_added', evidence.id, {
      revisionId: revision.id,
      version: revision.version,
      sha256: revision.sha256,
      sizeBytes: revision.sizeBytes,
      contentType: revision.contentType,
      fileName: revision.fileName,
      statusBefore: evidence.status,
    });

    const rationale = `Access review "${report.title}" (${reviewId}) completed on ${report.completedAt.slice(0, 10)}`;
    const decision = tx.create(DecisionEntity, {
      id: randomUUID(),
      tenantId,
      evidenceId: evidence.id,
      revisionVersion: revision.version,
      decision: EvidenceDecisionKind.APPROVE,
      rationale,
      decidedAt: new Date(report.completedAt),
      decidedById: completedBy,
    });
    await tx.insert(DecisionEntity, decision);
    await tx.update(EvidenceEntity, { id: evidence.id }, { status: EvidenceStatus.APPROVED });
    await audit(
      'evidence.decided',
      evidence.id,
      { decisionId: decision.id, decision: decision.decision, revisionVersion: decision.revisionVersion, status: EvidenceStatus.APPROVED },
      rationale,
    );

    await tx.insert(AccessReviewReportEntity, { id: reviewId, tenantId, eventId, evidenceId: evidence.id });
  }
}

const descriptionOf = ({ counts }: AccessReviewCompleted) =>
  `Report of the access review (CSV of every item, its decision, justification and reviewer): ${counts.total} items, ` +
  `${counts.kept} kept, ${counts.revoked} revoked, ${counts.changed} changed, ${counts.pending} pending.`;
