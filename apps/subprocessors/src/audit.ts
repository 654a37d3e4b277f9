import type { EntityManager } from 'typeorm';
import { recordAudit, type AuditEvent, type Caller } from '@compliance-graph/outbox';

export const SUBPROCESSORS_SERVICE = { schema: 'subprocessors', name: 'subprocessors' };

/** Records a subprocessors audit event in the transaction of the change it describes. */
export const recordSubprocessorsAudit = (tx: EntityManager, caller: Caller, event: AuditEvent) => recordAudit(tx, SUBPROCESSORS_SERVICE, caller, event);
