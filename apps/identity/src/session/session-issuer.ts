import { randomUUID } from 'node:crypto';
import { IsNull, type EntityManager } from 'typeorm';
import type { Principal, Role } from '@compliance-graph/auth';
import type { Caller } from '@compliance-graph/outbox';
import { recordIdentityAudit } from '../audit';
import { MembershipEntity } from '../membership/membership.entity';
import { TenantEntity } from '../tenant/tenant.entity';
import { UserEntity } from '../user/user.entity';
import { AuthPayload } from './auth-payload.type';
import { RefreshTokenEntity, SessionEntity } from './session.entity';
import type { TokenIssuer } from './token-issuer';

export interface OpenSession {
  tenantId: string;
  userId: string;
  role: Role;
  mfaPassed: boolean;
  /** A platform operator's visit: its reason and the end of its time box. */
  support?: { reason: string; expiresAt: Date };
  /** switchTenant: the session this one derives from, whose sign-in time and expiry it keeps. */
  origin?: Pick<SessionEntity, 'id' | 'authenticatedAt' | 'expiresAt'>;
}

/**
 * Opens, reissues and ends sessions inside the caller's tenant transaction: what sign-up,
 * login, invitations, support sessions, switching and refreshing have in common.
 */
export class SessionIssuer {
  constructor(private readonly issuer: TokenIssuer) {}

  /**
   * Starts a session inside the caller's tenant transaction (sign-up, login, invitation,
   * switch) and issues its first tokens. A member of a tenant that enforces MFA who has not
   * enrolled gets an enrolment-only token.
   */
  async open(tx: EntityManager, session: OpenSession): Promise<AuthPayload> {
    const now = new Date();
    const row = tx.create(SessionEntity, {
      id: randomUUID(),
      tenantId: session.tenantId,
      userId: session.userId,
      kind: session.support ? 'SUPPORT' : 'USER',
      supportReason: session.support?.reason ?? null,
      mfaPassed: session.mfaPassed,
      createdAt: now,
      authenticatedAt: session.origin?.authenticatedAt ?? now,
      expiresAt: session.origin?.expiresAt ?? session.support?.expiresAt ?? new Date(now.getTime() + this.issuer.refreshTtlSeconds * 1000),
      originSessionId: session.origin?.id ?? null,
      revokedAt: null,
      revokedReason: null,
    });
    await tx.insert(SessionEntity, row);
    // A support session is the operator's, not the member's: it does not make a membership active.
    if (!session.support) {
      await tx.update(MembershipEntity, { tenantId: session.tenantId, userId: session.userId, revokedAt: IsNull() }, { lastSignInAt: now });
    }
    return this.issue(tx, row, session.role);
  }

  /** Signs an access token for the session and rotates in a fresh refresh token. */
  async issue(tx: EntityManager, session: SessionEntity, role: Role): Promise<AuthPayload> {
    const [tenant, user] = await Promise.all([
      tx.findOneByOrFail(TenantEntity, { id: session.tenantId }),
      tx.findOneByOrFail(UserEntity, { id: session.userId }),
    ]);
    const principal: Principal = {
      kind: session.kind,
      subjectId: user.id,
      tenantId: tenant.id,
      role,
      sessionId: session.id,
      scope: tenant.mfaRequired && !user.mfaEnabled ? 'mfa_enrolment' : 'full',
      mfa: session.mfaPassed,
    };
    const refresh = this.issuer.newRefreshToken();
    await tx.insert(RefreshTokenEntity, {
      id: randomUUID(),
      tenantId: tenant.id,
      sessionId: session.id,
      tokenHash: refresh.hash,
      createdAt: new Date(),
      expiresAt: session.expiresAt,
      usedAt: null,
    });
    // No access token outlives its session (a support session's time box above all).
    const access = await this.issuer.accessToken(principal, session.expiresAt);
    return Object.assign(new AuthPayload(), {
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken: refresh.token,
      user,
      tenant,
      role,
      principal,
    });
  }

  async revoke(tx: EntityManager, session: SessionEntity, reason: string, caller: Caller): Promise<void> {
    await tx.update(SessionEntity, { id: session.id }, { revokedAt: new Date(), revokedReason: reason });
    await recordIdentityAudit(tx, caller, {
      tenantId: session.tenantId,
      action: 'session.revoked',
      actor: caller.principal ? undefined : { kind: 'USER', id: session.userId },
      subjectType: 'User',
      subjectId: session.userId,
      reason,
      data: { sessionId: session.id },
    });
  }

}
