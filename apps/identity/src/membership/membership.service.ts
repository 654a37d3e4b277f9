import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { badUserInput, forbidden, notFound, type Principal, type Role } from '@compliance-graph/auth';
import { isUuid, withTenant } from '@compliance-graph/db';
import { connection, pageRequest } from '@compliance-graph/federation';
import type { Caller } from '@compliance-graph/outbox';
import { assertText } from '../validation';
import { changeMemberships } from './membership-changes';
import { MembershipEntity } from './membership.entity';
import type { MembershipConnection } from './membership.connection';

/** Members sort by joining time, then id; the cursor is that pair. */
type MemberKey = [string, string];
const isMemberKey = (value: unknown): value is MemberKey =>
  Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string') && !Number.isNaN(Date.parse(value[0]));

export class MembershipService {
  constructor(private readonly db: DataSource) {}

  async list(
    principal: Principal,
    options: { includeRevoked: boolean; first?: number | null; after?: string | null },
  ): Promise<MembershipConnection> {
    const page = pageRequest(options.first, options.after, isMemberKey);
    return withTenant(this.db, principal, async (tx) => {
      const query = tx.createQueryBuilder(MembershipEntity, 'm');
      if (!options.includeRevoked) query.where('m.revokedAt IS NULL');
      const totalCount = await query.getCount();
      if (page.after) query.andWhere('(m.createdAt, m.id) > (:at, :id)', { at: page.after[0], id: page.after[1] });
      const rows = await query.orderBy('m.createdAt').addOrderBy('m.id').take(page.first + 1).getMany();
      return connection(rows, page.first, totalCount, (m): MemberKey => [m.createdAt.toISOString(), m.id]);
    });
  }

  /**
   * Changes a member's role. Only an OWNER grants or removes OWNER, and the last OWNER stays.
   * The member's tokens carry the old role: the gateway refuses them within seconds, and
   * refreshSession answers with the new role.
   */
  async changeRole(principal: Principal, caller: Caller, membershipId: string, role: Role): Promise<MembershipEntity> {
    return withTenant(this.db, principal, async (tx) => {
      const membership = await this.activeMembership(tx, membershipId);
      if (membership.role === role) return membership;
      if ((role === 'OWNER' || membership.role === 'OWNER') && principal.role !== 'OWNER') {
        throw forbidden('Only an OWNER grants or removes OWNER');
      }
      await changeMemberships(tx, caller, membership.tenantId, { roleChanges: [{ membership, role }] });
      return membership;
    });
  }

  /** Ends a membership with a reason; its sessions end at once (refresh fails, the gateway refuses within seconds). */
  async revoke(principal: Principal, caller: Caller, membershipId: string, reason: string): Promise<MembershipEntity> {
    const why = assertText(reason, 'reason');
    return withTenant(this.db, principal, async (tx) => {
      const membership = await this.activeMembership(tx, membershipId);
      if (membership.role === 'OWNER' && principal.role !== 'OWNER') throw forbidden('Only an OWNER removes OWNER');
      await changeMemberships(tx, caller, membership.tenantId, { revocations: [membership], reason: why });
      return membership;
    });
  }

  private async activeMembership(tx: EntityManager, membershipId: string): Promise<MembershipEntity> {
    if (!isUuid(membershipId)) throw badUserInput('membershipId must be a UUID');
    const membership = await tx.findOne(MembershipEntity, { where: { id: membershipId, revokedAt: IsNull() }, lock: { mode: 'pessimistic_write' } });
    if (!membership) throw notFound('No such membership');
    return membership;
  }
}
