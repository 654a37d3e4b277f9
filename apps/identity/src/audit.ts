import type { EntityManager } from 'typeorm';
import { recordAudit, type AuditEvent, type Caller } from '@compliance-graph/outbox';

const IDENTITY = { schema: 'identity', name: 'identity' };

/** Records an identity audit event in the transaction of the change it describes. */
export const recordIdentityAudit = (tx: EntityManager, caller: Caller, event: AuditEvent) =>
  recordAudit(tx, IDENTITY, caller, event);
