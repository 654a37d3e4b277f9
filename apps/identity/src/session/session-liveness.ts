import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import type { Principal, Role } from '@compliance-graph/auth';
import { withTenant } from '@compliance-graph/db';
import { MembershipEntity } from '../membership/membership.entity';
import { UserEntity } from '../user/user.entity';
import { SessionEntity } from './session.entity';
import { originSessionStands } from './session.store';

/** A support session reads what an AUDITOR reads (and the rule tree lets it change nothing). */
export const SUPPORT_ROLE: Role = 'AUDITOR';

/** Whether a session still stands, and with which role. */
export class SessionLiveness {
  constructor(private readonly db: DataSource) {}

  /**
   * Whether a token's session still stands: not revoked or expired, not older than the
   * user's last password change, and still giving the token's role (membership role, or
   * AUDITOR for an operator's support session). The gateway asks this for every request
   * (cached at most a few seconds).
   */
  async isLive(principal: Principal): Promise<boolean> {
    const kind = principal.kind;
    if (kind === 'API_KEY') return false;
    return withTenant(this.db, principal, async (tx) => {
      const session = await tx.findOne(SessionEntity, { where: { id: principal.sessionId, userId: principal.subjectId, kind } });
      return session !== null && (await this.currentRole(tx, session)) === principal.role;
    });
  }

  /** The role a session gives now, or null when it no longer stands. */
  async currentRole(tx: EntityManager, session: SessionEntity): Promise<Role | null> {
    if (session.revokedAt || session.expiresAt <= new Date()) return null;
    const user = await tx.findOne(UserEntity, { select: { id: true, sessionsValidAfter: true, isOperator: true }, where: { id: session.userId } });
    if (!user || session.authenticatedAt < user.sessionsValidAfter) return null;
    if (session.originSessionId && !(await originSessionStands(tx, session.originSessionId))) return null;
    if (session.kind === 'SUPPORT') return user.isOperator ? SUPPORT_ROLE : null;
    const membership = await tx.findOne(MembershipEntity, { where: { tenantId: session.tenantId, userId: session.userId, revokedAt: IsNull() } });
    return membership?.role ?? null;
  }
}
