import type { LoginThrottle } from '../throttle/login-throttle';
import { randomUUID } from 'node:crypto';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { badUserInput, conflict, forbidden, notFound, openSecret, sealSecret, type Principal } from '@compliance-graph/auth';
import { isUuid, withTenant } from '@compliance-graph/db';
import type { Caller } from '@compliance-graph/outbox';
import { recordIdentityAudit } from '../audit';
import { MembershipEntity } from '../membership/membership.entity';
import { SessionEntity } from '../session/session.entity';
import { assertText } from '../validation';
import { clearUserMfa } from './mfa-reset';
import { TotpActivation, TotpEnrollment } from './mfa.types';
import { generateRecoveryCodes, hashRecoveryCode, looksLikeRecoveryCode } from './recovery-codes';
import { generateTotpSecret, matchTotp, totpUri } from './totp';

const WRONG_CODE = 'The code is wrong or was already used';

interface TotpState {
  email: string;
  totp_secret: string | null;
  totp_pending_secret: string | null;
  totp_last_step: string | null;
}

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
    const [session]: Array<{ recent: boolean }> = await tx.query(
      `SELECT authenticated_at > now() - make_interval(secs => $2) AS recent FROM identity.sessions WHERE id = $1`,
      [principal.sessionId, this.recentSignInSeconds],
    );
    if (!session?.recent) {
      throw forbidden(`Sign in again: changing your authenticator needs a sign-in within the last ${Math.round(this.recentSignInSeconds / 60)} minutes`);
    }
  }

  async startEnrollment(principal: Principal): Promise<TotpEnrollment> {
    return withTenant(this.db, principal, async (tx) => {
      await this.assertRecentSignIn(tx, principal);
      const state = await this.state(tx, principal.subjectId);
      if (state.totp_secret) throw conflict('MFA is already enabled: regenerate recovery codes, or ask an admin to reset it');
      const secret = generateTotpSecret();
      await tx.query(`UPDATE identity.users SET totp_pending_secret = $2 WHERE id = $1`, [
        principal.subjectId,
        this.seal(secret, principal.subjectId),
      ]);
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
      if (state.totp_secret) throw conflict('MFA is already enabled');
      if (!state.totp_pending_secret) throw badUserInput('Start an enrolment first');
      const secret = this.open(state.totp_pending_secret, principal.subjectId);
      const step = matchTotp(secret, code, new Date(), null);
      if (step === null) return null;
      await tx.query(
        `UPDATE identity.users
            SET totp_secret = totp_pending_secret, totp_pending_secret = NULL, totp_last_step = $2, mfa_enabled = true
          WHERE id = $1`,
        [principal.subjectId, step],
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
      if (!state.totp_secret) throw badUserInput('MFA is not enabled');
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
    if (!state.totp_secret) return false;
    if (!looksLikeRecoveryCode(code)) return this.useTotp(tx, userId, state, code);
    // Wrapped in a SELECT: TypeORM answers a bare UPDATE ... RETURNING with [rows, count].
    const spent: Array<{ id: string }> = await tx.query(
      `WITH spent AS (UPDATE identity.recovery_codes SET used_at = now()
                       WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING id)
       SELECT id FROM spent`,
      [userId, hashRecoveryCode(code, userId)],
    );
    if (spent.length === 0) return false;
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
      const [{ elsewhere }]: Array<{ elsewhere: boolean }> = await tx.query(`SELECT identity.member_elsewhere($1) AS elsewhere`, [
        membership.userId,
      ]);
      if (elsewhere) {
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
    const lastStep = state.totp_last_step === null ? null : Number(state.totp_last_step);
    const step = matchTotp(this.open(state.totp_secret!, userId), code, new Date(), lastStep);
    if (step === null) return false;
    // Guarded update: two logins racing with the same code cannot both spend its step.
    const spent: Array<{ id: string }> = await tx.query(
      `WITH spent AS (UPDATE identity.users SET totp_last_step = $2
                       WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING id)
       SELECT id FROM spent`,
      [userId, step],
    );
    return spent.length > 0;
  }

  private async replaceRecoveryCodes(tx: EntityManager, userId: string): Promise<string[]> {
    const codes = generateRecoveryCodes();
    await tx.query(`DELETE FROM identity.recovery_codes WHERE user_id = $1`, [userId]);
    for (const code of codes) {
      await tx.query(`INSERT INTO identity.recovery_codes (id, user_id, code_hash) VALUES ($1, $2, $3)`, [
        randomUUID(),
        userId,
        hashRecoveryCode(code, userId),
      ]);
    }
    return codes;
  }

  private async state(tx: EntityManager, userId: string): Promise<TotpState> {
    const [state]: TotpState[] = await tx.query(
      `SELECT email, totp_secret, totp_pending_secret, totp_last_step FROM identity.users WHERE id = $1 FOR UPDATE`,
      [userId],
    );
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
