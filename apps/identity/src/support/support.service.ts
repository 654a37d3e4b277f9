import type { DataSource } from 'typeorm';
import { badUserInput, forbidden, notFound, type Principal } from '@compliance-graph/auth';
import { isUuid, withTenant } from '@compliance-graph/db';
import type { Caller } from '@compliance-graph/outbox';
import { recordIdentityAudit } from '../audit';
import type { AuthPayload } from '../session/auth-payload.type';
import { SessionEntity } from '../session/session.entity';
import type { SessionIssuer } from '../session/session-issuer';
import { SUPPORT_ROLE, type SessionLiveness } from '../session/session-liveness';
import { UserEntity } from '../user/user.entity';
import { assertSlug, assertText } from '../validation';
import { SupportSession } from './support-session.type';
import { findTenantForSupport } from './support.store';

const MAX_MINUTES = 60;

const toSupportSession = (row: SessionEntity) =>
  Object.assign(new SupportSession(), {
    id: row.id,
    reason: row.supportReason,
    openedAt: row.createdAt,
    expiresAt: row.expiresAt,
    endedAt: row.revokedAt,
    tenantId: row.tenantId,
    operatorId: row.userId,
  });

/**
 * Administrative access by platform operators: only operators with MFA, only into tenants that
 * allow it, with a reason, for at most an hour, read-only, listed to the tenant, and every
 * step (opening, each request, ending) in that tenant's own audit log.
 */
export class SupportService {
  constructor(
    private readonly db: DataSource,
    private readonly sessions: SessionIssuer,
    private readonly liveness: SessionLiveness,
  ) {}

  async open(principal: Principal, caller: Caller, tenantSlug: string, reason: string, minutes: number): Promise<AuthPayload> {
    const operator = await withTenant(this.db, principal, async (tx) => {
      return tx.findOne(UserEntity, { select: { id: true, isOperator: true, mfaEnabled: true }, where: { id: principal.subjectId } });
    });
    if (!operator?.isOperator || !operator.mfaEnabled || !principal.mfa) {
      throw forbidden('Support sessions are for platform operators signed in with MFA');
    }
    const why = assertText(reason, 'reason');
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_MINUTES) throw badUserInput(`minutes must be between 1 and ${MAX_MINUTES}`);
    const slug = assertSlug(tenantSlug.trim().toLowerCase());
    const target = await findTenantForSupport(this.db, slug);
    if (!target) throw notFound('No such tenant');
    if (!target.supportAccessAllowed) throw forbidden('This tenant does not allow support access');
    return withTenant(this.db, target.tenantId, async (tx) => {
      const payload = await this.sessions.open(tx, {
        tenantId: target.tenantId,
        userId: principal.subjectId,
        role: SUPPORT_ROLE,
        mfaPassed: true,
        support: { reason: why, expiresAt: new Date(Date.now() + minutes * 60_000) },
      });
      await recordIdentityAudit(tx, caller, {
        tenantId: target.tenantId,
        action: 'support.session_opened',
        actor: { kind: 'SUPPORT', id: principal.subjectId },
        subjectType: 'SupportSession',
        subjectId: payload.principal.sessionId,
        reason: why,
        data: { minutes, operatorTenantId: principal.tenantId },
      });
      return payload;
    });
  }

  /** Ends a support session: the session itself, or an OWNER/ADMIN of the tenant (the rule tree decides who). */
  async end(principal: Principal, caller: Caller, id: string): Promise<SupportSession> {
    if (!isUuid(id)) throw badUserInput('id must be a UUID');
    return withTenant(this.db, principal, async (tx) => {
      const row = await tx.findOne(SessionEntity, { where: { id, kind: 'SUPPORT' }, lock: { mode: 'pessimistic_write' } });
      if (!row) throw notFound('No such support session');
      if (!row.revokedAt) {
        row.revokedAt = new Date();
        row.revokedReason = principal.kind === 'SUPPORT' ? 'ended_by_operator' : 'ended_by_tenant';
        await tx.update(SessionEntity, { id }, { revokedAt: row.revokedAt, revokedReason: row.revokedReason });
        await recordIdentityAudit(tx, caller, {
          tenantId: principal.tenantId,
          action: 'support.session_ended',
          subjectType: 'SupportSession',
          subjectId: id,
          reason: row.supportReason,
          data: { endedBy: row.revokedReason },
        });
      }
      return toSupportSession(row);
    });
  }

  list(principal: Principal): Promise<SupportSession[]> {
    return withTenant(this.db, principal, async (tx) =>
      (await tx.find(SessionEntity, { where: { kind: 'SUPPORT' }, order: { createdAt: 'DESC', id: 'ASC' } })).map(toSupportSession),
    );
  }

  /**
   * The gateway reports every request a support session makes; it lands in the visited
   * tenant's audit log with the session's reason. Only a live support session may report.
   */
  async recordRequest(principal: Principal, caller: Caller, request: { operation: string; documentHash: string | null }): Promise<void> {
    if (principal.kind !== 'SUPPORT' || !(await this.liveness.isLive(principal))) throw forbidden('Not a live support session');
    await withTenant(this.db, principal, async (tx) => {
      const session = await tx.findOneByOrFail(SessionEntity, { id: principal.sessionId });
      await recordIdentityAudit(tx, caller, {
        tenantId: principal.tenantId,
        action: 'support.request',
        subjectType: 'SupportSession',
        subjectId: principal.sessionId,
        reason: session.supportReason,
        data: { operation: request.operation.slice(0, 200), documentHash: request.documentHash },
      });
    });
  }
}
