import { admin } from '@compliance-graph/testing';

/** The fields of a change the specs read, its entry's included. */
export const CHANGE_FIELDS =
  'id kind status before after announcedAt effectiveAt objectionDeadline subprocessor { id name status activeFrom activeUntil } objections { id partnerName reason createdAt }';
export const ANNOUNCE = `mutation ($input: AnnounceChangeInput!) { announceSubprocessorChange(input: $input) { ${CHANGE_FIELDS} } }`;
export const CANCEL = `mutation ($id: ID!, $reason: String!) { cancelSubprocessorChange(id: $id, reason: $reason) { ${CHANGE_FIELDS} } }`;
export const OBJECT = 'mutation ($id: ID!, $reason: String!) { objectToSubprocessorChange(changeId: $id, reason: $reason) { id partnerName reason createdAt change { id } } }';
export const CHANGE = `query ($status: SubprocessorChangeStatus, $since: DateTime) { subprocessorChanges(status: $status, since: $since) { ${CHANGE_FIELDS} } }`;
export const REGISTER =
  'query ($asOf: DateTime) { subprocessors(asOf: $asOf) { id name legalEntity website purpose dataCategories locations transferMechanism status activeFrom activeUntil } }';

/** A valid entry as a change carries it (SubprocessorInput), with `fields` changed. */
export const entry = (fields: Record<string, unknown> = {}) => ({
  name: 'Hosting GmbH',
  legalEntity: 'Hosting GmbH, Berlin',
  website: 'https://hosting.example.com/privacy',
  purpose: 'hosting',
  dataCategories: ['contact data'],
  locations: ['DE'],
  transferMechanism: 'NOT_APPLICABLE',
  ...fields,
});

/**
 * What the tenant has in the subprocessors schema: entries, changes and objections counted, and
 * the audit actions and register event types of its outbox in the order they were written.
 */
export async function tenantRows(tenantId: string) {
  const { rows } = await admin().query(
    `SELECT (SELECT count(*)::int FROM subprocessors.subprocessors WHERE tenant_id = $1) AS entries,
            (SELECT count(*)::int FROM subprocessors.changes WHERE tenant_id = $1) AS changes,
            (SELECT count(*)::int FROM subprocessors.objections WHERE tenant_id = $1) AS objections,
            ARRAY(SELECT payload->>'action' FROM subprocessors.outbox WHERE tenant_id = $1 AND topic = 'audit' ORDER BY position) AS audit,
            ARRAY(SELECT payload->>'type' FROM subprocessors.outbox WHERE tenant_id = $1 AND topic = 'subprocessor_event' ORDER BY position) AS events`,
    [tenantId],
  );
  return rows[0] as { entries: number; changes: number; objections: number; audit: string[]; events: string[] };
}
