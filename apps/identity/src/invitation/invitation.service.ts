import type { LoginThrottle } from '../throttle/login-throttle';
import { randomUUID } from 'node:crypto';
import { IsNull, MoreThan, QueryFailedError, type DataSource } from 'typeorm';
import { badUserInput, conflict, forbidden, mfaRequired, notFound, unauthenticated, type Principal, type Role } from '@compliance-graph/auth';
import { isUuid, withTenant } from '@compliance-graph/db';
import type { Caller } from '@compliance-graph/outbox';
import { recordIdentityAudit } from '../audit';
import { MembershipEntity } from '../membership/membership.entity';
import type { MfaService } from '../mfa/mfa.service';
import { hashSecretToken, newSecretToken } from '../secret-token';
import type { AuthPayload } from '../session/auth-payload.type';
import type { SessionIssuer } from '../session/session-issuer';
import { hashPassword, verifyPassword } from '../user/password';
import { insertUser } from '../user/user.service';
import { assertPassword, assertText, normaliseEmail } from '../validation';
import { InvitationEntity } from './invitation.entity';
import { findInvitationByToken } from './invitation.store';
import { CreatedInvitation, type AcceptInvitationInput } from './invitation.types';

const INVITATION_TOKEN_PREFIX = 'cgi_';
/** One message whatever is wrong with a token: nothing to learn about other tenants' invitations. */
const UNUSABLE = 'The invitation token is unknown, expired, revoked or already used';
const LOGIN_FAILED = 'Invalid password or code';

/** Thrown inside an acceptance to roll it back when the existing user's code is wrong. */
class SecondFactorRejected extends Error {}

export class InvitationService {
  constructor(
    private readonly db: DataSource,
    private readonly sessions: SessionIssuer,
    private readonly mfa: MfaService,
    private readonly throttle: LoginThrottle,
    private readonly ttlSeconds: number,
  ) {}

  /** Only an OWNER grants OWNER, by invitation as by role change. */
  async invite(principal: Principal, caller: Caller, email: string, role: Role): Promise<CreatedInvitation> {
    const address = normaliseEmail(email);
    if (role === 'OWNER' && principal.role !== 'OWNER') throw forbidden('Only an OWNER grants OWNER');
    const { token, hash } = newSecretToken(INVITATION_TOKEN_PREFIX);
    return withTenant(this.db, principal, async (tx) => {
      const now = new Date();
      const invitation = tx.create(InvitationEntity, {
        id: randomUUID(),
        tenantId: principal.tenantId,
        email: address,
        role,
        tokenHash: hash,
        invitedById: principal.subjectId,
        createdAt: now,
        expiresAt: new Date(now.getTime() + this.ttlSeconds * 1000),
        acceptedAt: null,
        acceptedById: null,
        revokedAt: null,
      });
      await tx.insert(InvitationEntity, invitation);
      await recordIdentityAudit(tx, caller, {
        tenantId: principal.tenantId,
        action: 'membership.invited',
        subjectType: 'Invitation',
        subjectId: invitation.id,
        data: { email: address, role, expiresAt: invitation.expiresAt.toISOString() },
      });
      return Object.assign(new CreatedInvitation(), { invitation, token });
    });
  }

  list(principal: Principal, pending: boolean): Promise<InvitationEntity[]> {
    return withTenant(this.db, principal, (tx) =>
      tx.find(InvitationEntity, {
        where: pending ? { acceptedAt: IsNull(), revokedAt: IsNull(), expiresAt: MoreThan(new Date()) } : {},
        order: { createdAt: 'DESC', id: 'ASC' },
      }),
    );
  }

  async revoke(principal: Principal, caller: Caller, id: string): Promise<InvitationEntity> {
    if (!isUuid(id)) throw badUserInput('id must be a UUID');
    return withTenant(this.db, principal, async (tx) => {
      const invitation = await tx.findOne(InvitationEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!invitation) throw notFound('No such invitation');
      if (invitation.acceptedAt) throw conflict('The invitation was already accepted');
      if (invitation.revokedAt) return invitation;
      invitation.revokedAt = new Date();
      await tx.update(InvitationEntity, { id }, { revokedAt: invitation.revokedAt });
      await recordIdentityAudit(tx, caller, {
        tenantId: principal.tenantId,
        action: 'invitation.revoked',
        subjectType: 'Invitation',
        subjectId: id,
        data: { email: invitation.email },
      });
      return invitation;
    });
  }

  /**
   * Joins the inviting tenant: a new user sets a password; an existing user proves theirs
   * (and their code, with MFA). The membership, the spent invitation and the first session
   * commit together.
   */
  async accept(input: AcceptInvitationInput, caller: Caller): Promise<AuthPayload> {
    const found = await findInvitationByToken(this.db, hashSecretToken(input.token));
    if (!found) throw badUserInput(UNUSABLE);
    const existing = found.existingUserId;
    // An existing user proves their password (and code): counted like a login, or anyone could
    // invite a registered email into a tenant of their own and guess without limit.
    const counters = existing ? this.throttle.counters(caller.clientIp, { userId: existing }) : [];
    await this.throttle.reserve(counters);
    if (existing) {
      if (!(await verifyPassword(found.existingPasswordHash, input.password))) throw unauthenticated(LOGIN_FAILED);
      if (found.existingMfaEnabled && !input.totpCode) throw mfaRequired('Accepting needs your authenticator code');
    }
    const newUser = existing ? null : { displayName: assertText(input.displayName, 'displayName'), passwordHash: await hashPassword(assertPassword(input.password)) };
    try {
      const payload = await withTenant(this.db, found.tenantId, async (tx) => {
        const invitation = await tx.findOne(InvitationEntity, { where: { id: found.invitationId }, lock: { mode: 'pessimistic_write' } });
        if (!invitation || invitation.acceptedAt || invitation.revokedAt || invitation.expiresAt <= new Date()) throw badUserInput(UNUSABLE);
        const userId = existing ?? randomUUID();
        if (newUser) {
          await insertUser(tx, { id: userId, email: invitation.email, ...newUser });
        }
        const membershipId = randomUUID();
        await tx.insert(MembershipEntity, { id: membershipId, tenantId: invitation.tenantId, userId, role: invitation.role });
        const mfaPassed = Boolean(existing && found.existingMfaEnabled);
        if (mfaPassed && !(await this.mfa.verifySecondFactor(tx, invitation.tenantId, caller, userId, input.totpCode!))) {
          throw new SecondFactorRejected();
        }
        await tx.update(InvitationEntity, { id: invitation.id }, { acceptedAt: new Date(), acceptedById: userId });
        await recordIdentityAudit(tx, caller, {
          tenantId: invitation.tenantId,
          action: 'membership.created',
          actor: { kind: 'USER', id: userId },
          subjectType: 'Membership',
          subjectId: membershipId,
          data: { userId, role: invitation.role, invitationId: invitation.id, newUser: !existing },
        });
        return this.sessions.open(tx, { tenantId: invitation.tenantId, userId, role: invitation.role, mfaPassed });
      });
      await this.throttle.recordSuccess(counters);
      return payload;
    } catch (error) {
      if (error instanceof SecondFactorRejected) throw unauthenticated(LOGIN_FAILED);
      if (error instanceof QueryFailedError && (error as { constraint?: string }).constraint === 'memberships_active') {
        throw conflict('You are already a member of this tenant');
      }
      throw error;
    }
  }
}
