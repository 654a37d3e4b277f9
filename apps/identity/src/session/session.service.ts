import { randomUUID } from 'node:crypto';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { badUserInput, mfaRequired, notFound, unauthenticated, type Principal, type Role } from '@compliance-graph/auth';
import { isUuid, withTenant } from '@compliance-graph/db';
import type { Caller } from '@compliance-graph/outbox';
import { recordIdentityAudit } from '../audit';
import { MembershipEntity } from '../membership/membership.entity';
import type { MfaService } from '../mfa/mfa.service';
import { TenantEntity } from '../tenant/tenant.entity';
import type { LoginThrottle } from '../throttle/login-throttle';
import { UserEntity } from '../user/user.entity';
import { verifyPassword } from '../user/password';
import { assertSlug, normaliseEmail } from '../validation';
import { AuthPayload } from './auth-payload.type';
import { RefreshTokenEntity, SessionEntity } from './session.entity';
import { hashSecretToken } from '../secret-token';
import type { TokenIssuer } from './token-issuer';

/** One message for every failed login, whatever failed: nothing to learn from the difference. */
const LOGIN_FAILED = 'Invalid tenant, email, password or code';
const BAD_REFRESH_TOKEN = 'Invalid refresh token';
/** A support session reads what an AUDITOR reads (and the rule tree lets it change nothing). */
export const SUPPORT_ROLE: Role = 'AUDITOR';

export interface LoginCredentials {
  tenantSlug: string;
  email: string;
  password: string;
  totpCode?: string | null;
}

interface LoginRow {
  tenant_id: string;
  user_id: string | null;
  password_hash: string | null;
  mfa_enabled: boolean | null;
  membership_id: string | null;
  role: Role | null;
}

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

export class SessionService {
  constructor(
    private readonly db: DataSource,
    private readonly issuer: TokenIssuer,
    private readonly throttle: LoginThrottle,
    private readonly mfa: MfaService,
  ) {}

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
    return this.issue(tx, row, session.role);
  }

  async login(input: LoginCredentials, caller: Caller): Promise<AuthPayload> {
    const tenantSlug = assertSlug(input.tenantSlug.trim().toLowerCase());
    const email = normaliseEmail(input.email);
    const [found]: LoginRow[] = await this.db.query(`SELECT * FROM identity.find_login($1, $2)`, [tenantSlug, email]);
    const counters = this.throttle.counters(caller.clientIp, { tenantSlug, email, userId: found?.user_id });
    await this.throttle.reserve(counters);
    const passwordOk = await verifyPassword(found?.password_hash ?? null, input.password);
    if (!found || !passwordOk || !found.user_id) {
      if (found) await this.recordLoginFailure(found, email, 'invalid_credentials', caller);
      throw unauthenticated(LOGIN_FAILED);
    }
    const member = found as LoginRow & { user_id: string; role: Role };
    if (member.mfa_enabled && !input.totpCode) throw mfaRequired('This account needs its authenticator code');

    const outcome = await withTenant(this.db, member.tenant_id, async (tx) => {
      if (member.mfa_enabled && !(await this.mfa.verifySecondFactor(tx, member.tenant_id, caller, member.user_id, input.totpCode!))) {
        return null;
      }
      await tx.update(UserEntity, { id: member.user_id }, { lastLoginAt: new Date() });
      const payload = await this.open(tx, {
        tenantId: member.tenant_id,
        userId: member.user_id,
        role: member.role,
        mfaPassed: Boolean(member.mfa_enabled),
      });
      await recordIdentityAudit(tx, caller, {
        tenantId: member.tenant_id,
        action: 'user.logged_in',
        actor: { kind: 'USER', id: member.user_id },
        subjectType: 'User',
        subjectId: member.user_id,
        data: { sessionId: payload.principal.sessionId, mfa: Boolean(member.mfa_enabled) },
      });
      return payload;
    });
    if (!outcome) {
      await this.recordLoginFailure(found, email, 'invalid_second_factor', caller);
      throw unauthenticated(LOGIN_FAILED);
    }
    await this.throttle.recordSuccess(counters);
    return outcome;
  }

  /**
   * Rotates a refresh token. A token used twice means it was copied: the whole session (every
   * token of the family) is revoked, and that revocation commits even though the call fails.
   */
  async refresh(refreshToken: string, caller: Caller): Promise<AuthPayload> {
    const located = await this.locate(refreshToken);
    const result = await withTenant(this.db, located.tenant_id, async (tx) => {
      const token = await tx.findOne(RefreshTokenEntity, {
        where: { tokenHash: hashSecretToken(refreshToken) },
        lock: { mode: 'pessimistic_write' },
      });
      const session = await tx.findOne(SessionEntity, { where: { id: located.session_id }, lock: { mode: 'pessimistic_write' } });
      if (!token || !session || session.revokedAt) return null;
      if (token.usedAt) {
        await this.revoke(tx, session, 'refresh_token_reused', caller);
        return null;
      }
      const role = await this.currentRole(tx, session);
      if (!role || token.expiresAt <= new Date()) return null;
      await tx.update(RefreshTokenEntity, { id: token.id }, { usedAt: new Date() });
      const payload = await this.issue(tx, session, role);
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
    const ended = await withTenant(this.db, located.tenant_id, async (tx) => {
      const session = await tx.findOne(SessionEntity, { where: { id: located.session_id }, lock: { mode: 'pessimistic_write' } });
      if (!session || session.revokedAt) return false;
      await this.revoke(tx, session, 'logout', caller);
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
      return session && (await this.currentRole(tx, session)) ? session : null;
    });
    if (!origin) throw unauthenticated('Your session has ended: sign in again');
    const payload = await withTenant(this.db, tenantId, async (tx) => {
      const membership = await tx.findOne(MembershipEntity, { where: { tenantId, userId: principal.subjectId, revokedAt: IsNull() } });
      if (!membership) return null;
      const [user]: Array<{ mfa_enabled: boolean }> = await tx.query(`SELECT mfa_enabled FROM identity.users WHERE id = $1`, [principal.subjectId]);
      if (user.mfa_enabled && !principal.mfa) throw mfaRequired('Switch from a session that passed MFA');
      const opened = await this.open(tx, { tenantId, userId: principal.subjectId, role: membership.role, mfaPassed: origin.mfaPassed, origin });
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
    const [user]: Array<{ sessions_valid_after: Date; is_operator: boolean }> = await tx.query(
      `SELECT sessions_valid_after, is_operator FROM identity.users WHERE id = $1`,
      [session.userId],
    );
    if (!user || session.authenticatedAt < user.sessions_valid_after) return null;
    if (session.originSessionId) {
      const [{ stands }] = await tx.query(`SELECT identity.origin_stands($1) AS stands`, [session.originSessionId]);
      if (!stands) return null;
    }
    if (session.kind === 'SUPPORT') return user.is_operator ? SUPPORT_ROLE : null;
    const membership = await tx.findOne(MembershipEntity, { where: { tenantId: session.tenantId, userId: session.userId, revokedAt: IsNull() } });
    return membership?.role ?? null;
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

  /** Signs an access token for the session and rotates in a fresh refresh token. */
  private async issue(tx: EntityManager, session: SessionEntity, role: Role): Promise<AuthPayload> {
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

  private async locate(refreshToken: string): Promise<{ tenant_id: string; session_id: string }> {
    const [located] = await this.db.query(`SELECT * FROM identity.find_refresh_token($1)`, [hashSecretToken(refreshToken)]);
    if (!located) throw unauthenticated(BAD_REFRESH_TOKEN);
    return located;
  }

  /** A failed login changes no tenant data, but the tenant's log records it. */
  private async recordLoginFailure(found: LoginRow, email: string, reason: string, caller: Caller): Promise<void> {
    await withTenant(this.db, found.tenant_id, (tx) =>
      recordIdentityAudit(tx, caller, {
        tenantId: found.tenant_id,
        action: 'user.login_failed',
        actor: found.user_id ? { kind: 'USER', id: found.user_id } : { kind: 'SYSTEM', id: null },
        subjectType: found.user_id ? 'User' : 'Tenant',
        subjectId: found.user_id ?? found.tenant_id,
        reason,
        data: { email },
      }),
    );
  }
}
