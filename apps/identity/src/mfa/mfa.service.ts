import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { badUserInput, conflict, forbidden, notFound, openSecret, sealSecret, type Principal } from '@compliance-graph/auth';
import { isUuid, withTenant } from '@compliance-graph/db';
import type { Caller } from '@compliance-graph/outbox';
import { recordIdentityAudit } from '../audit';
import { MembershipEntity } from '../membership/membership.entity';
import { memberOfAnotherTenant } from '../membership/membership.store';
import { SessionEntity } from '../session/session.entity';
import type { LoginThrottle } from '../throttle/login-throttle';
import { UserEntity } from '../user/user.entity';
import { assertText } from '../validation';
import { clearUserMfa } from './mfa-reset';
import { replaceRecoveryCodes, spendRecoveryCode } from './recovery-code.store';
import { TotpActivation, TotpEnrollment } from './mfa.types';
import { generateRecoveryCodes, hashRecoveryCode, looksLikeRecoveryCode } from './recovery-codes';
import { generateTotpSecret, matchTotp, totpUri } from './totp';

const WRONG_CODE = 'The code is wrong or was already used';

type TotpState = Pick<UserEntity, 'email' | 'totpSecret' | 'totpPendingSecret' | 'totpLastStep'>;

/** TOTP (RFC 6238) enrolment, login codes, recovery codes, and an admin's reset for a lost phone. */
export class MfaService {
  constructor(
    private readonly db: DataSource,
    private readonly encryptionKey: Buffer,
    private readonly throttle: LoginThrottle,
    private readonly recentSignInSeconds: number,
    private readonly issuer = 'Compliance Graph',
  ) {}

  /**
   * Changing the second factor needs a recent sign-in (refresh and switchTenant keep the
   * original time), so a thief of an access or refresh token cannot enrol their own authenticator.
   */
  private async assertRecentSignIn(tx: EntityManager, principal: Principal): Promise<void> {
    const recent = await tx
      .createQueryBuilder(SessionEntity, 's')
      .where('s.id = :id', { id: principal.sessionId })
      .andWhere('s.authenticatedAt > now() - make_interval(secs => :seconds)', { seconds: this.recentSignInSeconds })
      .getExists();
    if (!recent) {
      throw forbidden(`Sign in again: changing your authenticator needs a sign-in within the last ${Math.round(this.recentSignInSeconds / 60)} minutes`);
    }
  }

  async startEnrollment(principal: Principal): Promise<TotpEnrollment> {
    return withTenant(this.db, principal, async (tx) => {
      await this.assertRecentSignIn(tx, principal);
      const state = await this.state(tx, principal.subjectId);
      if (state.totpSecret) throw conflict('MFA is already enabled: regenerate recovery codes, or ask an admin to reset it');
      const secret = generateTotpSecret();
      await tx.update(UserEntity, { id: principal.subjectId }, { totpPendingSecret: this.seal(secret, principal.subjectId) });
      return Object.assign(new TotpEnrollment(), {
        secret,
        otpauthUri: totpUri({ secret, accountName: state.email, issuer: this.issuer }),
      });
    });
  }

  /**
   * Turns MFA on with the first code from the authenticator. The session that confirmed it
   * counts as having passed MFA, so its next refresh yields a full token.
   */
  async confirmEnrollment(principal: Principal, caller: Caller, code: string): Promise<TotpActivation> {
    const counters = this.throttle.counters(caller.clientIp, { userId: principal.subjectId });
    await this.throttle.reserve(counters);
    const activation = await withTenant(this.db, principal, async (tx) => {
      await this.assertRecentSignIn(tx, principal);
      const state = await this.state(tx, principal.subjectId);
      if (state.totpSecret) throw conflict('MFA is already enabled');
      if (!state.totpPendingSecret) throw badUserInput('Start an enrolment first');
      const secret = this.open(state.totpPendingSecret, principal.subjectId);
      const step = matchTotp(secret, code, new Date(), null);
      if (step === null) return null;
      await tx.update(
        UserEntity,
        { id: principal.subjectId },
        { totpSecret: state.totpPendingSecret, totpPendingSecret: null, totpLastStep: step, mfaEnabled: true },
      );
      await tx.update(SessionEntity, { id: principal.sessionId }, { mfaPassed: true });
      const recoveryCodes = await this.replaceRecoveryCodes(tx, principal.subjectId);
      await recordIdentityAudit(tx, caller, {
        tenantId: principal.tenantId,
        action: 'mfa.enrolled',
        subjectType: 'User',
        subjectId: principal.subjectId,
      });
      return Object.assign(new TotpActivation(), { recoveryCodes });
    });
    if (!activation) throw badUserInput(WRONG_CODE);
    await this.throttle.recordSuccess(counters);
    return activation;
  }

  async regenerateRecoveryCodes(principal: Principal, caller: Caller, totpCode: string): Promise<TotpActivation> {
    const counters = this.throttle.counters(caller.clientIp, { userId: principal.subjectId });
    await this.throttle.reserve(counters);
    const activation = await withTenant(this.db, principal, async (tx) => {
      await this.assertRecentSignIn(tx, principal);
      const state = await this.state(tx, principal.subjectId);
      if (!state.totpSecret) throw badUserInput('MFA is not enabled');
      if (!(await this.useTotp(tx, principal.subjectId, state, totpCode))) return null;
      const recoveryCodes = await this.replaceRecoveryCodes(tx, principal.subjectId);
      await recordIdentityAudit(tx, caller, {
        tenantId: principal.tenantId,
        action: 'mfa.recovery_codes_regenerated',
        subjectType: 'User',
        subjectId: principal.subjectId,
      });
      return Object.assign(new TotpActivation(), { recoveryCodes });
    });
    if (!activation) throw badUserInput(WRONG_CODE);
    await this.throttle.recordSuccess(counters);
    return activation;
  }

  /**
   * Checks a login's second factor in the login's transaction: a TOTP code not used before,
   * or an unused recovery code (which is then spent, and audited).
   */
  async verifySecondFactor(tx: EntityManager, tenantId: string, caller: Caller, userId: string, code: string): Promise<boolean> {
    const state = await this.state(tx, userId);
    if (!state.totpSecret) return false;
    if (!looksLikeRecoveryCode(code)) return this.useTotp(tx, userId, state, code);
    if (!(await spendRecoveryCode(tx, userId, hashRecoveryCode(code, userId)))) return false;
    await recordIdentityAudit(tx, caller, {
      tenantId,
      action: 'mfa.recovery_code_used',
      actor: { kind: 'USER', id: userId },
      subjectType: 'User',
      subjectId: userId,
    });
    return true;
  }

  /**
   * An admin clears another member's MFA (lost phone), with a reason; never their own, and
   * only for a member of no other tenant (MFA is per user: the reset would reach there too).
   */
  async resetMemberMfa(principal: Principal, caller: Caller, membershipId: string, reason: string): Promise<MembershipEntity> {
    if (!isUuid(membershipId)) throw badUserInput('membershipId must be a UUID');
    const why = assertText(reason, 'reason');
    return withTenant(this.db, principal, async (tx) => {
      const membership = await tx.findOne(MembershipEntity, { where: { id: membershipId, revokedAt: IsNull() } });
      if (!membership) throw notFound('No such membership');
      if (membership.userId === principal.subjectId) throw forbidden('Nobody resets their own MFA');
      if (membership.role === 'OWNER' && principal.role !== 'OWNER') throw forbidden('Only an OWNER resets an OWNER');
      if (await memberOfAnotherTenant(tx, membership.userId)) {
        throw conflict(
          'This member also belongs to another organisation, where a reset would weaken their sign-in too: they can sign in with a recovery code, or platform support can reset it',
        );
      }
      await clearUserMfa(tx, membership.userId);
      await recordIdentityAudit(tx, caller, {
        tenantId: principal.tenantId,
        action: 'mfa.reset',
        subjectType: 'Membership',
        subjectId: membership.id,
        reason: why,
        data: { userId: membership.userId },
      });
      return membership;
    });
  }

  private async useTotp(tx: EntityManager, userId: string, state: TotpState, code: string): Promise<boolean> {
    const step = matchTotp(this.open(state.totpSecret!, userId), code, new Date(), state.totpLastStep);
    if (step === null) return false;
    // Guarded update: two logins racing with the same code cannot both spend its step.
    const spent = await tx
      .createQueryBuilder()
      .update(UserEntity)
      .set({ totpLastStep: step })
      .where('id = :id AND (totp_last_step IS NULL OR totp_last_step < :step)', { id: userId, step })
      .execute();
    return spent.affected === 1;
  }

  private async replaceRecoveryCodes(tx: EntityManager, userId: string): Promise<string[]> {
    const codes = generateRecoveryCodes();
    await replaceRecoveryCodes(tx, userId, codes.map((code) => hashRecoveryCode(code, userId)));
    return codes;
  }

  private async state(tx: EntityManager, userId: string): Promise<TotpState> {
    const state = await tx.findOne(UserEntity, {
      select: { id: true, email: true, totpSecret: true, totpPendingSecret: true, totpLastStep: true },
      where: { id: userId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!state) throw notFound('No such user');
    return state;
  }

  private seal(secret: string, userId: string): string {
    return sealSecret(this.encryptionKey, secret, `totp:${userId}`);
  }

  private open(sealed: string, userId: string): string {
    return openSecret(this.encryptionKey, sealed, `totp:${userId}`);
  }
}
