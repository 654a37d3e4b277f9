import { IsNull, type DataSource } from 'typeorm';
import { badUserInput, mfaRequired, notFound, unauthenticated, type Principal } from '@compliance-graph/auth';
import { isUuid, withTenant } from '@compliance-graph/db';
import type { Caller } from '@compliance-graph/outbox';
import { recordIdentityAudit } from '../audit';
import { MembershipEntity } from '../membership/membership.entity';
import { hashSecretToken } from '../secret-token';
import { UserEntity } from '../user/user.entity';
import type { AuthPayload } from './auth-payload.type';
import { RefreshTokenEntity, SessionEntity } from './session.entity';
import type { SessionIssuer } from './session-issuer';
import type { SessionLiveness } from './session-liveness';
import { findRefreshToken } from './session.store';

const BAD_REFRESH_TOKEN = 'Invalid refresh token';

/** A signed-in session's life after login: refreshing it, ending it, and switching to another tenant. */
export class SessionService {
  constructor(
    private readonly db: DataSource,
    private readonly sessions: SessionIssuer,
    private readonly liveness: SessionLiveness,
  ) {}

  /**
   * Rotates a refresh token. A token used twice means it was copied: the whole session (every
   * token of the family) is revoked, and that revocation commits even though the call fails.
   */
  async refresh(refreshToken: string, caller: Caller): Promise<AuthPayload> {
    const located = await this.locate(refreshToken);
    const result = await withTenant(this.db, located.tenantId, async (tx) => {
      const token = await tx.findOne(RefreshTokenEntity, {
        where: { tokenHash: hashSecretToken(refreshToken) },
        lock: { mode: 'pessimistic_write' },
      });
      const session = await tx.findOne(SessionEntity, { where: { id: located.sessionId }, lock: { mode: 'pessimistic_write' } });
      if (!token || !session || session.revokedAt) return null;
      if (token.usedAt) {
        await this.sessions.revoke(tx, session, 'refresh_token_reused', caller);
        return null;
      }
      const role = await this.liveness.currentRole(tx, session);
      if (!role || token.expiresAt <= new Date()) return null;
      await tx.update(RefreshTokenEntity, { id: token.id }, { usedAt: new Date() });
      const payload = await this.sessions.issue(tx, session, role);
      await recordIdentityAudit(tx, caller, {
        tenantId: session.tenantId,
        action: 'session.refreshed',
        actor: { kind: 'USER', id: session.userId },
        subjectType: 'User',
        subjectId: session.userId,
        data: { sessionId: session.id },
      });
      return payload;
    });
    if (!result) throw unauthenticated(BAD_REFRESH_TOKEN);
    return result;
  }

  async logout(refreshToken: string, caller: Caller): Promise<boolean> {
    const located = await this.locate(refreshToken);
    const ended = await withTenant(this.db, located.tenantId, async (tx) => {
      const session = await tx.findOne(SessionEntity, { where: { id: located.sessionId }, lock: { mode: 'pessimistic_write' } });
      if (!session || session.revokedAt) return false;
      await this.sessions.revoke(tx, session, 'logout', caller);
      return true;
    });
    if (!ended) throw unauthenticated(BAD_REFRESH_TOKEN);
    return true;
  }

  /**
   * A token for another tenant the user belongs to, as a new session there. A user with MFA
   * switches only from a session that passed MFA, so no path yields a token without a code.
   */
  async switchTenant(principal: Principal, caller: Caller, tenantId: string): Promise<AuthPayload> {
    if (!isUuid(tenantId)) throw badUserInput('tenantId must be a UUID');
    const origin = await withTenant(this.db, principal, async (tx) => {
      const session = await tx.findOneBy(SessionEntity, { id: principal.sessionId });
      return session && (await this.liveness.currentRole(tx, session)) ? session : null;
    });
    if (!origin) throw unauthenticated('Your session has ended: sign in again');
    const payload = await withTenant(this.db, tenantId, async (tx) => {
      const membership = await tx.findOne(MembershipEntity, { where: { tenantId, userId: principal.subjectId, revokedAt: IsNull() } });
      if (!membership) return null;
      const user = await tx.findOneByOrFail(UserEntity, { id: principal.subjectId });
      if (user.mfaEnabled && !principal.mfa) throw mfaRequired('Switch from a session that passed MFA');
      const opened = await this.sessions.open(tx, { tenantId, userId: principal.subjectId, role: membership.role, mfaPassed: origin.mfaPassed, origin });
      await recordIdentityAudit(tx, caller, {
        tenantId,
        action: 'user.logged_in',
        subjectType: 'User',
        subjectId: principal.subjectId,
        data: { sessionId: opened.principal.sessionId, switchedFrom: principal.tenantId, mfa: principal.mfa },
      });
      return opened;
    });
    if (!payload) throw notFound('No membership in that tenant');
    return payload;
  }

  private async locate(refreshToken: string): Promise<{ tenantId: string; sessionId: string }> {
    const located = await findRefreshToken(this.db, hashSecretToken(refreshToken));
    if (!located) throw unauthenticated(BAD_REFRESH_TOKEN);
    return located;
  }
}
