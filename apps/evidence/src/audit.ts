import type { EntityManager } from 'typeorm';
import { recordAudit, type AuditEvent, type Caller } from '@compliance-graph/outbox';

const EVIDENCE = { schema: 'evidence', name: 'evidence' };

/** Records an evidence audit event in the transaction of the change it describes. */
export const recordEvidenceAudit = (tx: EntityManager, caller: Caller, event: AuditEvent) => recordAudit(tx, EVIDENCE, caller, event);
