import type { EntityManager } from 'typeorm';
import { recordAudit, type AuditEvent, type Caller } from '@compliance-graph/outbox';

const IDENTITY = { schema: 'identity', name: 'identity' };

/** Records identity audit events in the transaction of the change they describe. */
export const recordIdentityAudit = (tx: EntityManager, caller: Caller, ...events: AuditEvent[]) =>
  recordAudit(tx, IDENTITY, caller, ...events);
