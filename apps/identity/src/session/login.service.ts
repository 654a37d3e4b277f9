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

/** One message for every failed login, whatever failed: nothing to learn from the difference. */
const LOGIN_FAILED = 'Invalid tenant, email, password or code';

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
      const payload = await this.sessions.open(tx, {
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
