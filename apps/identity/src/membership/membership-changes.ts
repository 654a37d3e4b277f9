import { IsNull, type EntityManager } from 'typeorm';
import { conflict, type Role } from '@compliance-graph/auth';
import type { Caller } from '@compliance-graph/outbox';
import { recordIdentityAudit } from '../audit';
import { updateRoles } from '../role-updates';
import { SessionEntity } from '../session/session.entity';
import { MembershipEntity } from './membership.entity';

/**
 * The changes to memberships that a member's admin (one at a time) and a completed access
 * review (all of its decisions at once) both make, inside the caller's transaction, each change
 * audited; `context` joins every record's data (the review). However many memberships change,
 * it costs the same few statements. Who may make them is the caller's to check.
 */
export interface MembershipChanges {
  revocations?: readonly MembershipEntity[];
  /** Why the revoked memberships end (one reason for all of them). */
  reason?: string;
  roleChanges?: ReadonlyArray<{ membership: MembershipEntity; role: Role }>;
}

/**
 * Refuses the changes when the tenant would be left without an OWNER. The tenant's OWNER
 * memberships are locked first, so two demotions cannot race past the last one.
 */
async function assertOwnerRemains(tx: EntityManager, tenantId: string, { revocations = [], roleChanges = [] }: MembershipChanges): Promise<void> {
  const leaving = new Set([
    ...revocations.filter((m) => m.role === 'OWNER').map((m) => m.id),
    ...roleChanges.filter((c) => c.membership.role === 'OWNER' && c.role !== 'OWNER').map((c) => c.membership.id),
  ]);
  if (leaving.size === 0) return;
  const owners = await tx.find(MembershipEntity, { select: { id: true }, where: { tenantId, role: 'OWNER', revokedAt: IsNull() }, lock: { mode: 'pessimistic_write' } });
  const arriving = roleChanges.filter((c) => c.role === 'OWNER' && c.membership.role !== 'OWNER' && !revocations.includes(c.membership)).length;
  if (owners.filter((owner) => !leaving.has(owner.id)).length + arriving === 0) throw conflict('A tenant keeps at least one OWNER');
}

/**
 * Ends the revoked memberships and their sessions at once (refresh fails, the gateway refuses
 * within seconds) and gives the others their new role (their tokens carry the old one, which the
 * gateway refuses within seconds too).
 */
export async function changeMemberships(tx: EntityManager, caller: Caller, tenantId: string, changes: MembershipChanges, context: Record<string, unknown> = {}): Promise<void> {
  const { revocations = [], reason = null, roleChanges = [] } = changes;
  await assertOwnerRemains(tx, tenantId, changes);
  const now = new Date();
  if (revocations.length > 0) {
    await tx
      .createQueryBuilder()
      .update(MembershipEntity)
      .set({ revokedAt: now, revokedReason: reason })
      .where('id = ANY(:ids)', { ids: revocations.map((m) => m.id) })
      .execute();
    await tx
      .createQueryBuilder()
      .update(SessionEntity)
      .set({ revokedAt: now, revokedReason: 'membership_revoked' })
      .where('tenantId = :tenantId AND userId = ANY(:userIds) AND revokedAt IS NULL', { tenantId, userIds: revocations.map((m) => m.userId) })
      .execute();
  }
  await updateRoles(tx, MembershipEntity, roleChanges.map(({ membership, role }) => ({ id: membership.id, role })));
  await recordIdentityAudit(
    tx,
    caller,
    ...revocations.map((membership) => ({
      tenantId,
      action: 'membership.revoked',
      subjectType: 'Membership',
      subjectId: membership.id,
      reason,
      data: { userId: membership.userId, role: membership.role, ...context },
    })),
    ...roleChanges.map(({ membership, role }) => ({
      tenantId,
      action: 'membership.role_changed',
      subjectType: 'Membership',
      subjectId: membership.id,
      data: { userId: membership.userId, from: membership.role, to: role, ...context },
    })),
  );
  for (const membership of revocations) Object.assign(membership, { revokedAt: now, revokedReason: reason });
  for (const { membership, role } of roleChanges) membership.role = role;
}
