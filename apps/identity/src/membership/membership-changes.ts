import { IsNull, type EntityManager } from 'typeorm';
import { conflict, type Role } from '@compliance-graph/auth';
import type { Caller } from '@compliance-graph/outbox';
import { recordIdentityAudit } from '../audit';
import { SessionEntity } from '../session/session.entity';
import { MembershipEntity } from './membership.entity';

/**
 * The changes to a membership that a member's admin and a completed access review both make,
 * inside the caller's transaction, each audited; `context` joins the record's data (the review).
 * Who may make them is the caller's to check.
 */

/** Locks the tenant's OWNER memberships, so two demotions cannot race past the last one. */
export async function assertAnotherOwner(tx: EntityManager, tenantId: string, leavingMembershipId: string): Promise<void> {
  const owners = await tx.find(MembershipEntity, {
    select: { id: true },
    where: { tenantId, role: 'OWNER', revokedAt: IsNull() },
    lock: { mode: 'pessimistic_write' },
  });
  if (!owners.some((owner) => owner.id !== leavingMembershipId)) throw conflict('A tenant keeps at least one OWNER');
}

/** A new role; the member's tokens carry the old one, so the gateway refuses them within seconds. */
export async function changeMembershipRole(tx: EntityManager, caller: Caller, membership: MembershipEntity, role: Role, context: Record<string, unknown> = {}): Promise<void> {
  if (membership.role === 'OWNER') await assertAnotherOwner(tx, membership.tenantId, membership.id);
  const from = membership.role;
  membership.role = role;
  await tx.update(MembershipEntity, { id: membership.id }, { role });
  await recordIdentityAudit(tx, caller, {
    tenantId: membership.tenantId,
    action: 'membership.role_changed',
    subjectType: 'Membership',
    subjectId: membership.id,
    data: { userId: membership.userId, from, to: role, ...context },
  });
}

/** Ends the membership and its sessions at once (refresh fails, the gateway refuses within seconds). */
export async function revokeMembership(tx: EntityManager, caller: Caller, membership: MembershipEntity, reason: string, context: Record<string, unknown> = {}): Promise<void> {
  if (membership.role === 'OWNER') await assertAnotherOwner(tx, membership.tenantId, membership.id);
  const now = new Date();
  Object.assign(membership, { revokedAt: now, revokedReason: reason });
  await tx.update(MembershipEntity, { id: membership.id }, { revokedAt: now, revokedReason: reason });
  await tx.update(SessionEntity, { tenantId: membership.tenantId, userId: membership.userId, revokedAt: IsNull() }, { revokedAt: now, revokedReason: 'membership_revoked' });
  await recordIdentityAudit(tx, caller, {
    tenantId: membership.tenantId,
    action: 'membership.revoked',
    subjectType: 'Membership',
    subjectId: membership.id,
    reason,
    data: { userId: membership.userId, role: membership.role, ...context },
  });
}
