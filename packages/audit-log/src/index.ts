/**
 * The audit record and its cryptography, for every side that touches them: producers check a
 * record with its schema before enqueueing, the audit service appends it and proves it, and
 * anyone verifies an export, a checkpoint or a proof offline with the same code.
 */
export * from './merkle';
export {
  auditRecordSchema,
  describeIssues,
  normaliseHeaderValue,
  storableText,
  unstorableText,
  USER_AGENT_MAX_LENGTH,
  CLIENT_ADDRESS_MAX_LENGTH,
  type AuditRecord,
} from './record';
export { leafDataOf, leafHashOf, type ExportRecord, type ProducedRecord, type UnhashedRecord } from './export-record';
