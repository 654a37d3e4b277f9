import type { EntityManager } from 'typeorm';
import { recordAudit, recordPlatformAudit, type AuditEvent, type Caller, type PlatformEvent } from '@compliance-graph/outbox';

const IDENTITY = { schema: 'identity', name: 'identity' };

/** Records identity audit events in the transaction of the change they describe. */
export const recordIdentityAudit = (tx: EntityManager, caller: Caller, ...events: AuditEvent[]) =>
  recordAudit(tx, IDENTITY, caller, ...events);

/** Records identity's platform operations in the platform audit log, in the transaction of the change. */
export const recordIdentityPlatformAudit = (tx: EntityManager, ...events: PlatformEvent[]) => recordPlatformAudit(tx, IDENTITY, ...events);
