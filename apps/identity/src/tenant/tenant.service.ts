import type { LoginThrottle } from '../throttle/login-throttle';
import { randomUUID } from 'node:crypto';
import { QueryFailedError, type DataSource } from 'typeorm';
import { badUserInput, conflict, type Principal } from '@compliance-graph/auth';
import { withTenant } from '@compliance-graph/db';
import type { Caller } from '@compliance-graph/outbox';
import { recordIdentityAudit } from '../audit';
import { MembershipEntity } from '../membership/membership.entity';
import type { AuthPayload } from '../session/auth-payload.type';
import type { SessionIssuer } from '../session/session-issuer';
import { UserEntity } from '../user/user.entity';
import { hashPassword } from '../user/password';
import { insertUser } from '../user/user.service';
import { assertPassword, assertSlug, assertText, normaliseEmail } from '../validation';
import { TenantEntity } from './tenant.entity';
import type { SignUpInput, TenantSettingsInput } from './tenant.inputs';

const UNIQUE_VIOLATION = '23505';

/** Unique constraints a sign-up can hit, and what the caller is told. */
const DUPLICATES: Record<string, string> = {
  tenants_slug_key: 'This tenant slug is taken',
  users_email_key: 'This email is already registered; sign in and ask to be invited instead',
};

export class TenantService {
  constructor(
    private readonly db: DataSource,
    private readonly sessions: SessionIssuer,
    private readonly throttle: LoginThrottle,
  ) {}

  /** A new tenant with the caller as its OWNER, signed in: one transaction, all or nothing. */
  async signUp(input: SignUpInput, caller: Caller): Promise<AuthPayload> {
    // Each sign-up hashes a password and tells whether an email is registered: counted per address.
    await this.throttle.reserve(this.throttle.signUpCounters(caller.clientIp));
    const slug = assertSlug(input.tenantSlug.trim());
    const email = normaliseEmail(input.email);
    const tenantName = assertText(input.tenantName, 'tenantName');
    const displayName = assertText(input.displayName, 'displayName');
    const passwordHash = await hashPassword(assertPassword(input.password));
    const tenantId = randomUUID();
    const userId = randomUUID();
    const membershipId = randomUUID();
    try {
      return await withTenant(this.db, tenantId, async (tx) => {
        await tx.insert(TenantEntity, { id: tenantId, name: tenantName, slug });
        await insertUser(tx, { id: userId, email, displayName, passwordHash });
        await tx.insert(MembershipEntity, { id: membershipId, tenantId, userId, role: 'OWNER' });
        const actor = { kind: 'USER' as const, id: userId };
        await recordIdentityAudit(tx, caller, { tenantId, action: 'tenant.created', actor, subjectType: 'Tenant', subjectId: tenantId, data: { slug, name: tenantName } });
        await recordIdentityAudit(tx, caller, {
          tenantId,
          action: 'membership.created',
          actor,
          subjectType: 'Membership',
          subjectId: membershipId,
          data: { userId, role: 'OWNER' },
        });
        await tx.update(UserEntity, { id: userId }, { lastLoginAt: new Date() });
        return this.sessions.open(tx, { tenantId, userId, role: 'OWNER', mfaPassed: false });
      });
    } catch (error) {
      const constraint = (error as { constraint?: string }).constraint;
      if (error instanceof QueryFailedError && (error as { code?: string }).code === UNIQUE_VIOLATION && constraint && DUPLICATES[constraint]) {
        throw conflict(DUPLICATES[constraint]);
      }
      throw error;
    }
  }

  async updateSettings(principal: Principal, caller: Caller, input: TenantSettingsInput): Promise<TenantEntity> {
    const changes: Partial<TenantEntity> = {};
    if (input.name != null) changes.name = assertText(input.name, 'name');
    if (input.mfaRequired != null) changes.mfaRequired = input.mfaRequired;
    if (input.supportAccessAllowed != null) changes.supportAccessAllowed = input.supportAccessAllowed;
    if (input.publicSubprocessorPage != null) changes.publicSubprocessorPage = input.publicSubprocessorPage;
    if (input.subprocessorNoticeDays != null) {
      if (!Number.isInteger(input.subprocessorNoticeDays) || input.subprocessorNoticeDays < 0 || input.subprocessorNoticeDays > 365) {
        throw badUserInput('subprocessorNoticeDays must be between 0 and 365');
      }
      changes.subprocessorNoticeDays = input.subprocessorNoticeDays;
    }
    return withTenant(this.db, principal, async (tx) => {
      if (Object.keys(changes).length > 0) {
        await tx.update(TenantEntity, { id: principal.tenantId }, changes);
        await recordIdentityAudit(tx, caller, {
          tenantId: principal.tenantId,
          action: 'tenant.settings_updated',
          subjectType: 'Tenant',
          subjectId: principal.tenantId,
          data: { changes },
        });
      }
      return tx.findOneByOrFail(TenantEntity, { id: principal.tenantId });
    });
  }
}
