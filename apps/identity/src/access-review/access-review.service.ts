import { createHash, randomUUID } from 'node:crypto';
import { IsNull, MoreThan, type DataSource, type EntityManager } from 'typeorm';
import { CodedError, ErrorCode, badUserInput, conflict, forbidden, notFound, type Principal, type Role } from '@compliance-graph/auth';
import { anyOf, isUuid, withTenant } from '@compliance-graph/db';
import { connection, pageRequest } from '@compliance-graph/federation';
import { ACCESS_REVIEW_COMPLETED_TOPIC, accessReviewCompletedSchema } from '@compliance-graph/internal-api';
import { enqueue, type Caller } from '@compliance-graph/outbox';
import { recordIdentityAudit } from '../audit';
import { changeApiKeys } from '../api-key/api-key-changes';
import { API_KEY_ROLES, ApiKeyEntity } from '../api-key/api-key.entity';
import { changeMemberships } from '../membership/membership-changes';
import { MembershipEntity } from '../membership/membership.entity';
import { UserEntity } from '../user/user.entity';
import { assertText } from '../validation';
import { AccessReviewDecision, AccessReviewItemEntity, AccessRiskFlag } from './access-review-item.entity';
import { reportCsv, type ItemOutcome, type ReportRow } from './access-review-report';
import { AccessReviewDefaultAction } from './access-review-schedule.entity';
import { AccessReviewEntity, AccessReviewStatus } from './access-review.entity';
import { historyOf, riskOf, scopeDigest, type PreviousItem, type ScopeSubject } from './access-review-scope';
import { insertScope } from './access-review.store';
import type { AccessReviewItemConnection, AccessReviewSummary } from './access-review.types';

const MAX_DUE_DAYS = 366;
/** What a start needs to know besides the tenant's access: who starts it, for when, and what happens at the due date. */
export type PlannedReview = Pick<AccessReviewEntity, 'tenantId' | 'createdById' | 'title' | 'dueAt' | 'defaultAction' | 'scheduledFor'>;

const isItemId = (value: unknown): value is string => typeof value === 'string' && isUuid(value);

/** Access reviews: the tenant's access frozen at the start, decided item by item by OWNER and ADMIN. */
export class AccessReviewService {
  constructor(private readonly db: DataSource) {}

  list(principal: Principal): Promise<AccessReviewEntity[]> {
    return withTenant(this.db, principal, (tx) => tx.find(AccessReviewEntity, { order: { createdAt: 'DESC', id: 'DESC' } }));
  }

  /**
   * Snapshots every active membership and unrevoked, unexpired API key with its role, flags and
   * signals, in the start's transaction; later changes to the tenant's access do not alter it.
   * The scope's digest goes into the review and its `access_review.started` record.
   */
  start(principal: Principal, caller: Caller, title: string, dueAt: Date): Promise<AccessReviewEntity> {
    const name = assertText(title, 'title');
    const now = new Date();
    if (dueAt <= now || dueAt.getTime() - now.getTime() > MAX_DUE_DAYS * 86_400_000) throw badUserInput(`dueAt must be in the next ${MAX_DUE_DAYS} days`);
    const review = { tenantId: principal.tenantId, createdById: principal.subjectId, title: name, dueAt, defaultAction: AccessReviewDefaultAction.NONE, scheduledFor: null };
    return withTenant(this.db, principal, (tx) => this.begin(tx, caller, review, now));
  }

  /**
   * Starts a review in the caller's tenant transaction: by hand (`start`) or for a schedule's slot
   * (the scheduler, whose caller is the system and whose review is the schedule setter's).
   */
  async begin(tx: EntityManager, caller: Caller, planned: PlannedReview, now: Date): Promise<AccessReviewEntity> {
    const { tenantId, title: name, dueAt } = planned;
    const subjects = await this.currentAccess(tx, now);
    const previous = await tx.findOne(AccessReviewEntity, { where: { status: AccessReviewStatus.COMPLETED }, order: { completedAt: 'DESC' } });
    const before = previous ? await this.previousItems(tx, previous.id) : new Map<string, PreviousItem>();
    const items = subjects.map((subject) => {
      const risk = riskOf(subject, now, dueAt);
      const flags = risk.map((signal) => signal.code as unknown as AccessRiskFlag);
      return {
        id: randomUUID(),
        subject,
        membershipId: subject.subjectType === 'Membership' ? subject.subjectId : null,
        apiKeyId: subject.subjectType === 'ApiKey' ? subject.subjectId : null,
        ownerUserId: subject.ownerUserId,
        roleAtStart: subject.role,
        flags,
        signals: [...risk, ...historyOf(subject, flags, before.get(subject.subjectId), previous !== null)],
      };
    });
    const digest = scopeDigest(items.map((item) => ({ id: item.id, subjectType: item.subject.subjectType, subjectId: item.subject.subjectId, roleAtStart: item.roleAtStart, flags: item.flags })));
    const review = tx.create(AccessReviewEntity, {
      ...planned,
      id: randomUUID(),
      status: AccessReviewStatus.IN_PROGRESS,
      scopeDigest: digest,
      previousReviewId: previous?.id ?? null,
      completedAt: null,
      completedById: null,
      cancelledAt: null,
      cancelledById: null,
      defaultActionFailure: null,
    });
    await tx.insert(AccessReviewEntity, review);
    await insertScope(tx, tenantId, review.id, items);
    await recordIdentityAudit(tx, caller, {
      tenantId,
      action: 'access_review.started',
      subjectType: 'AccessReview',
      subjectId: review.id,
      data: {
        title: name,
        dueAt: dueAt.toISOString(),
        items: items.length,
        scopeDigest: digest,
        previousReviewId: review.previousReviewId,
        createdBy: review.createdById,
        defaultAction: review.defaultAction,
        scheduledFor: review.scheduledFor?.toISOString() ?? null,
      },
    });
    return review;
  }

  items(
    principal: Principal,
    reviewId: string,
    options: { pending?: boolean | null; flag?: AccessRiskFlag | null; first?: number | null; after?: string | null },
  ): Promise<AccessReviewItemConnection> {
    const page = pageRequest(options.first, options.after, isItemId);
    return withTenant(this.db, principal, async (tx) => {
      const query = tx.createQueryBuilder(AccessReviewItemEntity, 'i').where('i.reviewId = :reviewId', { reviewId });
      if (options.pending === true) query.andWhere('i.decision IS NULL');
      if (options.pending === false) query.andWhere('i.decision IS NOT NULL');
      if (options.flag) query.andWhere(':flag = ANY(i.flags)', { flag: options.flag });
      const totalCount = await query.getCount();
      if (page.after) query.andWhere('i.id > :after', { after: page.after });
      const rows = await query.orderBy('i.id', 'ASC').take(page.first + 1).getMany();
      return connection(rows, page.first, totalCount, (item) => item.id);
    });
  }

  /**
   * Records (or changes, until completion) the decision on one item. Nobody decides their own
   * access (their membership, or a key they created); an ADMIN may keep an OWNER, but only an
   * OWNER revokes one or changes its role, or grants OWNER.
   */
  decide(principal: Principal, caller: Caller, itemId: string, decision: AccessReviewDecision, justification: string, newRole: Role | null | undefined): Promise<AccessReviewItemEntity> {
    if (!isUuid(itemId)) throw badUserInput('itemId must be a UUID');
    const why = assertText(justification, 'justification');
    if (decision === AccessReviewDecision.CHANGE_ROLE && !newRole) throw badUserInput('newRole is required to change the role');
    if (decision !== AccessReviewDecision.CHANGE_ROLE && newRole) throw badUserInput('newRole goes only with CHANGE_ROLE');
    return withTenant(this.db, principal, async (tx) => {
      const found = await tx.findOne(AccessReviewItemEntity, { select: { id: true, reviewId: true }, where: { id: itemId } });
      if (!found) throw notFound('No such access review item');
      // The review first, then the item: the order completion locks them in, so the two queue instead of deadlocking.
      await this.openReview(tx, found.reviewId);
      const item = await tx.findOneOrFail(AccessReviewItemEntity, { where: { id: itemId }, lock: { mode: 'pessimistic_write' } });
      if (item.ownerUserId === principal.subjectId) throw forbidden('Nobody decides a review item about their own access');
      const touchesOwner = item.roleAtStart === 'OWNER' && decision !== AccessReviewDecision.KEEP;
      if ((touchesOwner || newRole === 'OWNER') && principal.role !== 'OWNER') throw forbidden('Only an OWNER revokes an OWNER, changes its role or grants OWNER');
      if (newRole && newRole === item.roleAtStart) throw badUserInput(`The role is already ${newRole}`);
      if (newRole && item.apiKeyId && !API_KEY_ROLES.includes(newRole)) throw badUserInput(`An API key's role is one of ${API_KEY_ROLES.join(', ')}`);
      const previous = item.decision;
      const decided = { decision, newRole: newRole ?? null, justification: why, decidedById: principal.subjectId, decidedAt: new Date() };
      await tx.update(AccessReviewItemEntity, { id: item.id }, decided);
      await recordIdentityAudit(tx, caller, {
        tenantId: principal.tenantId,
        action: 'access_review.item_decided',
        subjectType: 'AccessReview',
        subjectId: item.reviewId,
        reason: why,
        data: { reviewId: item.reviewId, itemId: item.id, membershipId: item.membershipId, apiKeyId: item.apiKeyId, decision, newRole: decided.newRole, previousDecision: previous },
      });
      return Object.assign(item, decided);
    });
  }

  /**
   * Applies every REVOKE and CHANGE_ROLE in one transaction, with identity's own rules (the last
   * OWNER stays: the completion then fails with CONFLICT naming the item, and nothing is
   * applied); undecided items are kept and marked so. The review becomes immutable, and its
   * report (CSV, SHA-256, counts) goes through the outbox as `access_review.completed`, which
   * evidence records as approved evidence; the audit event carries the hash and the counts.
   * A membership or key revoked by hand meanwhile is reported as such, not revoked twice.
   */
  complete(principal: Principal, caller: Caller, reviewId: string): Promise<AccessReviewEntity> {
    if (!isUuid(reviewId)) throw badUserInput('id must be a UUID');
    return withTenant(this.db, principal, (tx) => this.finish(tx, caller, reviewId, principal.subjectId));
  }

  /**
   * Completes a review in the caller's tenant transaction, as `completedBy`: the caller of
   * `complete`, or the review's creator when the scheduler applies the default action.
   */
  async finish(tx: EntityManager, caller: Caller, reviewId: string, completedBy: string): Promise<AccessReviewEntity> {
    const review = await this.openReview(tx, reviewId);
    const items = await tx.find(AccessReviewItemEntity, { where: { reviewId }, order: { id: 'ASC' }, lock: { mode: 'pessimistic_write' } });
    const context = { accessReviewId: review.id };
    const reason = `Access review "${review.title}"`;
    const memberships = new Map(
      (await tx.find(MembershipEntity, { where: { id: anyOf(items.flatMap((i) => (i.membershipId ? [i.membershipId] : []))) }, lock: { mode: 'pessimistic_write' } })).map((m) => [m.id, m]),
    );
    const keys = new Map(
      (await tx.find(ApiKeyEntity, { where: { id: anyOf(items.flatMap((i) => (i.apiKeyId ? [i.apiKeyId] : []))) }, lock: { mode: 'pessimistic_write' } })).map((k) => [k.id, k]),
    );
    const people = new Map(
      (await tx.find(UserEntity, { where: { id: anyOf([...new Set([...[...memberships.values()].map((m) => m.userId), ...items.flatMap((i) => (i.decidedById ? [i.decidedById] : []))])]) } })).map((u) => [u.id, u]),
    );
    const membershipChanges = { revocations: [] as MembershipEntity[], reason, roleChanges: [] as Array<{ membership: MembershipEntity; role: Role }> };
    const keyChanges = { revocations: [] as ApiKeyEntity[], roleChanges: [] as Array<{ apiKey: ApiKeyEntity; role: Role }> };
    let firstOwnerRemoval: AccessReviewItemEntity | undefined;
    const rows: ReportRow[] = [];
    for (const item of items) {
      const membership = item.membershipId ? memberships.get(item.membershipId)! : null;
      const key = item.apiKeyId ? keys.get(item.apiKeyId)! : null;
      const gone = membership ? membership.revokedAt !== null : key!.revokedAt !== null;
      let outcome: ItemOutcome = item.decision === null ? 'kept (undecided)' : 'kept';
      if (gone) outcome = 'already revoked';
      else if (item.decision === AccessReviewDecision.REVOKE) {
        if (membership) membershipChanges.revocations.push(membership);
        else keyChanges.revocations.push(key!);
        outcome = 'revoked';
      } else if (item.decision === AccessReviewDecision.CHANGE_ROLE && item.newRole) {
        if (membership) membershipChanges.roleChanges.push({ membership, role: item.newRole });
        else keyChanges.roleChanges.push({ apiKey: key!, role: item.newRole });
        outcome = 'role changed';
      }
      if (membership?.role === 'OWNER' && (outcome === 'revoked' || outcome === 'role changed')) firstOwnerRemoval ??= item;
      const subjectName = membership ? `${people.get(membership.userId)?.displayName ?? ''} <${people.get(membership.userId)?.email ?? ''}>` : `${key!.name} (${key!.prefix})`;
      rows.push({ item, subjectType: membership ? 'Membership' : 'ApiKey', subjectName, reviewerName: item.decidedById ? (people.get(item.decidedById)?.displayName ?? null) : null, outcome });
    }
    try {
      await changeMemberships(tx, caller, review.tenantId, membershipChanges, context);
    } catch (error) {
      if (error instanceof CodedError && error.code === ErrorCode.CONFLICT) throw conflict(`Item ${firstOwnerRemoval?.id}: ${error.message}; nothing was applied`);
      throw error;
    }
    await changeApiKeys(tx, caller, review.tenantId, keyChanges, context);
    const completedAt = new Date();
    const completed = { status: AccessReviewStatus.COMPLETED, completedAt, completedById: completedBy };
    await tx.update(AccessReviewEntity, { id: review.id }, completed);
    Object.assign(review, completed);
    const count = (decision: AccessReviewDecision) => items.filter((item) => item.decision === decision).length;
    const counts = { total: items.length, kept: count(AccessReviewDecision.KEEP), revoked: count(AccessReviewDecision.REVOKE), changed: count(AccessReviewDecision.CHANGE_ROLE), pending: items.filter((i) => i.decision === null).length };
    const csv = reportCsv(rows);
    const csvSha256 = createHash('sha256').update(csv, 'utf8').digest('hex');
    const report = accessReviewCompletedSchema.parse({
      reviewId: review.id,
      tenantId: review.tenantId,
      title: review.title,
      completedAt: completedAt.toISOString(),
      completedBy,
      csv,
      csvSha256,
      counts,
    });
    await enqueue(tx, 'identity', { id: randomUUID(), topic: ACCESS_REVIEW_COMPLETED_TOPIC, tenantId: review.tenantId, occurredAt: completedAt.toISOString(), payload: report });
    await recordIdentityAudit(tx, caller, {
      tenantId: review.tenantId,
      action: 'access_review.completed',
      subjectType: 'AccessReview',
      subjectId: review.id,
      data: { csvSha256, counts, scopeDigest: review.scopeDigest, completedBy },
    });
    return review;
  }

  /** Ends a review without applying anything. */
  cancel(principal: Principal, caller: Caller, reviewId: string): Promise<AccessReviewEntity> {
    if (!isUuid(reviewId)) throw badUserInput('id must be a UUID');
    return withTenant(this.db, principal, async (tx) => {
      const review = await this.openReview(tx, reviewId);
      const cancelled = { status: AccessReviewStatus.CANCELLED, cancelledAt: new Date(), cancelledById: principal.subjectId };
      await tx.update(AccessReviewEntity, { id: review.id }, cancelled);
      await recordIdentityAudit(tx, caller, { tenantId: principal.tenantId, action: 'access_review.cancelled', subjectType: 'AccessReview', subjectId: review.id, data: { title: review.title } });
      return Object.assign(review, cancelled);
    });
  }

  /** The review, locked, while it may still change; a completed or cancelled one is CONFLICT. */
  private async openReview(tx: EntityManager, reviewId: string): Promise<AccessReviewEntity> {
    const review = await tx.findOne(AccessReviewEntity, { where: { id: reviewId }, lock: { mode: 'pessimistic_write' } });
    if (!review) throw notFound('No such access review');
    if (review.status !== AccessReviewStatus.IN_PROGRESS) throw conflict(`This review is ${review.status}: it does not change any more`);
    return review;
  }

  /** Every active membership (with its user's MFA) and every unrevoked, unexpired API key of the tenant. */
  private async currentAccess(tx: EntityManager, now: Date): Promise<ScopeSubject[]> {
    const memberships = await tx.find(MembershipEntity, { where: { revokedAt: IsNull() } });
    const users = await tx.find(UserEntity, { select: { id: true, mfaEnabled: true }, where: { id: anyOf(memberships.map((m) => m.userId)) } });
    const mfa = new Map(users.map((user) => [user.id, user.mfaEnabled]));
    const keys = await tx.find(ApiKeyEntity, { where: { revokedAt: IsNull(), expiresAt: MoreThan(now) } });
    return [
      ...memberships.map((m): ScopeSubject => ({
        subjectType: 'Membership',
        subjectId: m.id,
        ownerUserId: m.userId,
        role: m.role,
        createdAt: m.createdAt,
        lastUsedAt: m.lastSignInAt,
        mfaEnabled: mfa.get(m.userId) ?? false,
      })),
      ...keys.map((k): ScopeSubject => ({
        subjectType: 'ApiKey',
        subjectId: k.id,
        ownerUserId: k.createdById,
        role: k.role,
        createdAt: k.createdAt,
        lastUsedAt: k.lastUsedAt,
        expiresAt: k.expiresAt,
      })),
    ];
  }

  private async previousItems(tx: EntityManager, reviewId: string): Promise<Map<string, PreviousItem>> {
    const items = await tx.find(AccessReviewItemEntity, { where: { reviewId } });
    return new Map(items.map((item) => [item.membershipId ?? item.apiKeyId!, item]));
  }
}

/** Each review's items counted by decision, in one statement for all of them (a list of reviews asks for every summary). */
export async function reviewSummaries(db: DataSource, tenantId: string | undefined, reviewIds: readonly string[]): Promise<AccessReviewSummary[]> {
  const rows: Array<{ reviewId: string; decision: AccessReviewDecision | null; n: string }> =
    tenantId === undefined
      ? []
      : await withTenant(db, tenantId, (tx) =>
          tx
            .createQueryBuilder(AccessReviewItemEntity, 'i')
            .select('i.reviewId', 'reviewId')
            .addSelect('i.decision', 'decision')
            .addSelect('count(*)', 'n')
            .where('i.reviewId IN (:...reviewIds)', { reviewIds })
            .groupBy('i.reviewId')
            .addGroupBy('i.decision')
            .getRawMany(),
        );
  return reviewIds.map((reviewId) => {
    const of = (decision: AccessReviewDecision | null) => Number(rows.find((row) => row.reviewId === reviewId && row.decision === decision)?.n ?? 0);
    const counts = { kept: of(AccessReviewDecision.KEEP), revoked: of(AccessReviewDecision.REVOKE), changed: of(AccessReviewDecision.CHANGE_ROLE), pending: of(null) };
    return { ...counts, total: counts.kept + counts.revoked + counts.changed + counts.pending };
  });
}
