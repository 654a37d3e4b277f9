import { NOTICE_READERS, READERS, allow, belongsToCallerTenant, hasRole, isAuthenticated, type RuleTree } from '@compliance-graph/auth';

const readers = hasRole(...READERS);
/** The proof of notice of a subprocessor change: the same roles as in subprocessors. */
const readsNotice = hasRole(...NOTICE_READERS);

/**
 * The rule tree of the audit subgraph: OWNER, ADMIN and AUDITOR read the log (a support
 * session reads as AUDITOR); nobody writes it through the graph.
 */
export const auditRules: RuleTree = {
  Query: {
    auditPublicKeys: isAuthenticated,
    auditEvents: readers,
    auditEvent: readers,
    auditCheckpoint: readers,
    auditInclusionProof: readers,
    auditConsistencyProof: readers,
    verifyAuditLog: readers,
  },
  AuditPublicKey: allow,
  AuditEvent: belongsToCallerTenant,
  AuditEventConnection: allow,
  AuditCheckpoint: allow,
  AuditInclusionProof: allow,
  AuditConsistencyProof: allow,
  AuditVerification: allow,
  PageInfo: allow,
  User: isAuthenticated,
  // The trail is for readers; for others it is null with FORBIDDEN, and the parent object stays.
  Evidence: { id: isAuthenticated, auditTrail: readers },
  Membership: { id: isAuthenticated, auditTrail: readers },
  SubprocessorChangeNotice: { changeId: isAuthenticated, announcement: readsNotice, announcementProof: readsNotice },
};
