/**
 * The operations the gateway's metrics name: those of the canonical query fixture
 * (packages/edge/test/canonical-queries.graphql; operation-label.spec.ts fails when the two
 * differ). Kept in source rather than read from the fixture, so the built gateway never depends
 * on a test file, and the label set is fixed by code review, not by whatever clients send.
 */
export const CANONICAL_OPERATIONS: ReadonlySet<string> = new Set([
  'AuditEvents',
  'Members',
  'MembershipAuditTrail',
  'EvidenceAuditTrail',
  'EvidenceList',
  'AccessReviewSchedule',
  'AccessReviewItems',
  'SubprocessorRegister',
  'SubprocessorChanges',
  'SubprocessorChangeNotices',
  'WebhookDeliveries',
]);

/** Clients choose operation names: only the canonical ones become a label value, the rest are `other`. */
export function operationLabel(name: string | null | undefined): string {
  if (!name) return 'anonymous';
  return CANONICAL_OPERATIONS.has(name) ? name : 'other';
}
