import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { badUserInput, conflict, forbidden, notFound, type Principal } from '@compliance-graph/auth';
import { isUuid, withTenant } from '@compliance-graph/db';
import { textChecker } from '@compliance-graph/federation';
import type { Caller } from '@compliance-graph/outbox';
import { recordSubprocessorsAudit } from '../audit';
import { SubprocessorChangeEntity, SubprocessorChangeStatus } from '../change/change.entity';
import type { Clock } from '../clock';
import { withUniqueConflicts } from '../conflicts';
import type { IdentityDirectory } from '../identity-directory/identity-directory';
import { SUBPROCESSORS_INPUT_LIMITS } from '../input-limits';
import { SubprocessorObjectionEntity } from './objection.entity';

const text = textChecker(SUBPROCESSORS_INPUT_LIMITS);

const ONE_PER_PARTNER = { objections_change_id_partner_kind_partner_id_key: 'You have already objected to this change' };

/** Partners' objections to announced changes, until the change's objection deadline. */
export class ObjectionService {
  constructor(
    private readonly db: DataSource,
    private readonly directory: IdentityDirectory,
    private readonly clock: Clock,
  ) {}

  /**
   * Files the caller's objection, named as identity knows the partner now (the key's name, the
   * member's display name). The deadline is inclusive: "after the deadline" is refused.
   */
  async object(principal: Principal, caller: Caller, changeId: string, reason: string): Promise<SubprocessorObjectionEntity> {
    if (!isUuid(changeId)) throw badUserInput('changeId must be a UUID');
    const why = text(reason, 'reason');
    if (principal.kind !== 'USER' && principal.kind !== 'API_KEY') throw forbidden('Only a partner objects');
    const partner = await this.directory.principal(principal.tenantId, principal.kind, principal.subjectId);
    if (!partner?.active || partner.role !== 'PARTNER') throw forbidden('Only a partner objects');
    return withUniqueConflicts(ONE_PER_PARTNER, () =>
      withTenant(this.db, principal, async (tx) => {
        // Shared lock: a cancellation waits for the objection, or the objection sees it cancelled.
        const change = await tx.findOne(SubprocessorChangeEntity, { where: { id: changeId }, lock: { mode: 'pessimistic_read' } });
        if (!change) throw notFound('No such subprocessor change');
        if (change.status === SubprocessorChangeStatus.CANCELLED) throw conflict('This change was cancelled');
        const now = this.clock();
        if (now.getTime() > change.objectionDeadline.getTime()) {
          throw badUserInput(`The objection deadline of this change (${change.objectionDeadline.toISOString()}) has passed`);
        }
        const objection = tx.create(SubprocessorObjectionEntity, {
          id: randomUUID(),
          tenantId: principal.tenantId,
          changeId,
          partnerKind: principal.kind as 'USER' | 'API_KEY',
          partnerId: principal.subjectId,
          partnerName: partner.name,
          reason: why,
          createdAt: now,
        });
        await tx.insert(SubprocessorObjectionEntity, objection);
        await recordSubprocessorsAudit(tx, caller, {
          tenantId: principal.tenantId,
          action: 'subprocessor.objection_filed',
          subjectType: 'SubprocessorObjection',
          subjectId: objection.id,
          reason: why,
          occurredAt: now,
          data: { changeId, partnerName: partner.name },
        });
        return objection;
      }),
    );
  }
}
