import { randomUUID } from 'node:crypto';
import { AUDIT_INGEST } from '@compliance-graph/internal-api';
import { executeOnSubgraph, principal, type InProcessSubgraph } from '@compliance-graph/testing';
import type { HttpClient } from './http-client';

/** The audit service's ingest route, as an outbox relay POSTs to it. */
export const INGEST_PATH = AUDIT_INGEST.path;

const ACTIONS = ['evidence.updated', 'evidence.submitted', 'membership.role_changed', 'identity.logged_in', 'subprocessor.reviewed'];
const SUBJECTS = ['Evidence', 'Evidence', 'Membership', 'User', 'Subprocessor'];

let recordsMade = 0;

/**
 * An audit record as a producing service writes it into its outbox (AuditRecord of
 * packages/audit-log): the size and shape of a typical state change, about 560 bytes of JSON.
 */
export function auditRecord(tenantId: string) {
  const n = recordsMade++;
  const kind = n % ACTIONS.length;
  return {
    id: randomUUID(),
    tenantId,
    occurredAt: new Date().toISOString(),
    action: ACTIONS[kind],
    actorKind: 'USER',
    actorId: randomUUID(),
    subjectType: SUBJECTS[kind],
    subjectId: randomUUID(),
    service: 'evidence',
    ip: '203.0.113.9',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
    reason: null,
    data: { field: 'status', from: 'DRAFT', to: 'IN_REVIEW', control: `CC${(n % 9) + 1}.${(n % 5) + 1}`, n },
  };
}

/** The body a relay POSTs (packages/outbox http-delivery): one topic, messages with id and payload. */
export const ingestBody = (records: Array<{ id: string }>) =>
  JSON.stringify({ topic: 'audit', messages: records.map((payload) => ({ id: payload.id, payload })) });

/** POSTs one batch; resolves to an error label, or undefined when all `count` records were appended. */
export async function postBatch(client: HttpClient, body: string, count: number): Promise<string | undefined> {
  const { status, text } = await client.post(body);
  if (status !== 200) return `HTTP ${status}: ${text.slice(0, 200)}`;
  const { appended } = JSON.parse(text) as { appended: number };
  return appended === count ? undefined : `appended ${appended} of ${count}`;
}

/**
 * Runs operations on the audit subgraph's schema in process as an AUDITOR of the tenant: the
 * operation as the gateway forwards it, without the HTTP hop. Errors throw.
 */
export function asAuditor(audit: InProcessSubgraph, tenantId: string) {
  const auditor = principal(tenantId, 'AUDITOR');
  return async <D = unknown>(query: string, variables: Record<string, unknown> = {}): Promise<D> => {
    const result = await executeOnSubgraph<D>(audit, query, variables, { principal: auditor });
    if (!result.data || result.errors?.length) throw new Error(`${query.slice(0, 60)}: ${result.errors?.[0]?.message ?? 'no data'}`);
    return result.data;
  };
}
