import type { DataSource } from 'typeorm';
import { mfaRequired, unauthenticated, type Role } from '@compliance-graph/auth';
import { withTenant } from '@compliance-graph/db';
import type { Caller } from '@compliance-graph/outbox';
import { recordIdentityAudit } from '../audit';
import type { MfaService } from '../mfa/mfa.service';
import type { LoginThrottle } from '../throttle/login-throttle';
import { UserEntity } from '../user/user.entity';
import { verifyPassword } from '../user/password';
import { assertSlug, normaliseEmail } from '../validation';
import type { AuthPayload } from './auth-payload.type';
import type { SessionIssuer } from './session-issuer';
import { findLoginCandidate, type LoginCandidate } from './session.store';

/** One message for every failed login, whatever failed: nothing to learn from the difference. */
const LOGIN_FAILED = 'Invalid tenant, email, password or code';

export interface LoginCredentials {
  tenantSlug: string;
  email: string;
  password: string;
  totpCode?: string | null;
}

/** Signing in with password (and code): throttled, every failure recorded in the tenant's log. */
export class LoginService {
  constructor(
    private readonly db: DataSource,
    private readonly sessions: SessionIssuer,
    private readonly throttle: LoginThrottle,
    private readonly mfa: MfaService,
  ) {}

  async login(input: LoginCredentials, caller: Caller): Promise<AuthPayload> {
    const tenantSlug = assertSlug(input.tenantSlug.trim().toLowerCase());
    const email = normaliseEmail(input.email);
    const found = await findLoginCandidate(this.db, tenantSlug, email);
    const counters = this.throttle.counters(caller.clientIp, { tenantSlug, email, userId: found?.userId });
    await this.throttle.reserve(counters);
    const passwordOk = await verifyPassword(found?.passwordHash ?? null, input.password);
    if (!found || !passwordOk || !found.userId) {
      if (found) await this.recordLoginFailure(found, email, 'invalid_credentials', caller);
      throw unauthenticated(LOGIN_FAILED);
    }
    const member = found as LoginCandidate & { userId: string; role: Role };
    if (member.mfaEnabled && !input.totpCode) throw mfaRequired('This account needs its authenticator code');

    const outcome = await withTenant(this.db, member.tenantId, async (tx) => {
      if (member.mfaEnabled && !(await this.mfa.verifySecondFactor(tx, member.tenantId, caller, member.userId, input.totpCode!))) {
        return null;
      }
      await tx.update(UserEntity, { id: member.userId }, { lastLoginAt: new Date() });
      const payload = await this.sessions.open(tx, {
        tenantId: member.tenantId,
        userId: member.userId,
        role: member.role,
        mfaPassed: Boolean(member.mfaEnabled),
      });
      await recordIdentityAudit(tx, caller, {
        tenantId: member.tenantId,
        action: 'user.logged_in',
        actor: { kind: 'USER', id: member.userId },
        subjectType: 'User',
        subjectId: member.userId,
        data: { sessionId: payload.principal.sessionId, mfa: Boolean(member.mfaEnabled) },
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

  /** A failed login changes no tenant data, but the tenant's log records it. */
  private async recordLoginFailure(found: LoginCandidate, email: string, reason: string, caller: Caller): Promise<void> {
    await withTenant(this.db, found.tenantId, (tx) =>
      recordIdentityAudit(tx, caller, {
        tenantId: found.tenantId,
        action: 'user.login_failed',
        actor: found.userId ? { kind: 'USER', id: found.userId } : { kind: 'SYSTEM', id: null },
        subjectType: found.userId ? 'User' : 'Tenant',
        subjectId: found.userId ?? found.tenantId,
        reason,
        data: { email },
      }),
    );
  }
}
