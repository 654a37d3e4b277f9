import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Role } from '@compliance-graph/auth';
import { AccessReviewDecision, AccessReviewSignalCode, AccessRiskFlag, type AccessReviewSignal } from './access-review-item.entity';

const DAY_MS = 86_400_000;
const DORMANT_DAYS = 90;
const EXPIRING_DAYS = 30;
const PRIVILEGED_ROLES: readonly Role[] = ['OWNER', 'ADMIN'];

/** One access of the tenant at the start: a membership or an API key, with what its flags are computed from. */
export interface ScopeSubject {
  subjectType: 'Membership' | 'ApiKey';
  subjectId: string;
  ownerUserId: string;
  role: Role;
  createdAt: Date;
  /** The member's last sign-in into this tenant, or the key's last use. */
  lastUsedAt: Date | null;
  /** Memberships only. */
  mfaEnabled?: boolean;
  /** Keys only. */
  expiresAt?: Date;
}

/** What the tenant's previous completed review said of the same access. */
export interface PreviousItem {
  roleAtStart: Role;
  decision: AccessReviewDecision | null;
  newRole: Role | null;
  flags: AccessRiskFlag[];
}

const days = (ms: number) => Math.floor(ms / DAY_MS);

/** The contract's risk flags of one access, each with its reason, at `now` for a review due at `dueAt`. */
export function riskOf(subject: ScopeSubject, now: Date, dueAt: Date): AccessReviewSignal[] {
  const signals: AccessReviewSignal[] = [];
  const flag = (code: AccessRiskFlag, reason: string) => signals.push({ code: code as unknown as AccessReviewSignalCode, reason });
  const what = subject.subjectType === 'Membership' ? 'signed in to this tenant' : 'been used';
  if (subject.subjectType === 'Membership' && !subject.mfaEnabled) flag(AccessRiskFlag.NO_MFA, 'The member has no second factor.');
  const lastActive = subject.lastUsedAt ?? subject.createdAt;
  if (now.getTime() - lastActive.getTime() >= DORMANT_DAYS * DAY_MS) {
    flag(AccessRiskFlag.DORMANT_90_DAYS, `Has not ${what} for ${days(now.getTime() - lastActive.getTime())} days.`);
  }
  if (subject.lastUsedAt === null) flag(AccessRiskFlag.NEVER_USED, `Has never ${what} since it was granted ${subject.createdAt.toISOString().slice(0, 10)}.`);
  if (PRIVILEGED_ROLES.includes(subject.role)) flag(AccessRiskFlag.PRIVILEGED, `${subject.role} may change the tenant's access and settings.`);
  if (subject.expiresAt && (subject.expiresAt < dueAt || subject.expiresAt.getTime() - now.getTime() < EXPIRING_DAYS * DAY_MS)) {
    flag(AccessRiskFlag.EXPIRING_KEY, `Expires ${subject.expiresAt.toISOString().slice(0, 10)}${subject.expiresAt < dueAt ? ', before the review is due' : ''}.`);
  }
  return signals;
}

/** What the previous completed review adds: new since, role changed since, kept then with a flag that still stands. */
export function historyOf(subject: ScopeSubject, flags: readonly AccessRiskFlag[], previous: PreviousItem | undefined, hadPrevious: boolean): AccessReviewSignal[] {
  if (!hadPrevious) return [];
  if (!previous) return [{ code: AccessReviewSignalCode.NEW_SINCE_LAST_REVIEW, reason: 'Granted since the last completed review.' }];
  const signals: AccessReviewSignal[] = [];
  const roleThen = previous.decision === AccessReviewDecision.CHANGE_ROLE && previous.newRole ? previous.newRole : previous.roleAtStart;
  if (roleThen !== subject.role) {
    signals.push({ code: AccessReviewSignalCode.ROLE_CHANGED_SINCE_LAST_REVIEW, reason: `Was ${roleThen} after the last review, is ${subject.role} now.` });
  }
  const kept = previous.decision === AccessReviewDecision.KEEP || previous.decision === null;
  const standing = flags.filter((flag) => previous.flags.includes(flag));
  if (kept && standing.length > 0) {
    signals.push({ code: AccessReviewSignalCode.KEPT_WITH_FLAG_LAST_TIME, reason: `Kept in the last review although flagged ${standing.join(', ')}, which still stands.` });
  }
  return signals;
}

/** What the scope digest covers of each item. */
export interface DigestItem {
  id: string;
  subjectType: 'Membership' | 'ApiKey';
  subjectId: string;
  roleAtStart: Role;
  flags: readonly AccessRiskFlag[];
}

/**
 * SHA-256 (hex) of the RFC 8785 JSON of the items sorted by id, each
 * `{id, subjectType, subjectId, roleAtStart, flags}` with its flags sorted: the audit event of
 * the start carries it, so anyone can show later that a review's scope was complete.
 */
export function scopeDigest(items: readonly DigestItem[]): string {
  const canonicalItems = [...items]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map(({ id, subjectType, subjectId, roleAtStart, flags }) => ({ id, subjectType, subjectId, roleAtStart, flags: [...flags].sort() }));
  return createHash('sha256').update(canonicalize(canonicalItems)!).digest('hex');
}
