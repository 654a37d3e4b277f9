/**
 * The isolation policy of the whole graph, as data: one row per root field, per field of every
 * entity type and per HTTP route of the gateway. isolation-matrix.e2e-spec.ts derives every
 * principal's expected outcome from these rows and checks it over every access path;
 * isolation-coverage.spec.ts fails while a coordinate of the composed supergraph has no row.
 * A change here is a permission change: review it like one.
 *
 * `who` follows the contract's table "Who may do what":
 *   anyone    anonymous included (a support session changes nothing; an enrolment-only token
 *             gets MFA_REQUIRED outside its root fields, as everywhere)
 *   all       every authenticated principal
 *   staff     OWNER, ADMIN, COMPLIANCE_MANAGER, AUDITOR, MEMBER
 *   readers   OWNER, ADMIN, AUDITOR (a support session reads as AUDITOR)
 *   admin     OWNER, ADMIN
 *   self      the user itself: not an API key, not a support session
 *   operator  platform operators with MFA; no principal of the matrix is one (FORBIDDEN)
 *   parent    (entity fields) whoever may see the object; the field adds no rule of its own
 *   an array  those roles
 *   public    (routes) no credential needed; a presented one is not even looked at
 *
 * Placeholders in variables, resolved per cell: '<tenant>' / '<tenantSlug>' the tenant under
 * test; '<member>' / '<membership>' a MEMBER of it who is none of the principals (email, MFA and
 * last sign-in set); '<apiKey>', '<evidence>' (created by '<member>'), '<auditEvent>',
 * '<subprocessor>', '<proofpack>' (sealed) rows of it, '<accessReview>' an open review of it (its report recorded as evidence), '<accessReviewItem>' an item of it; '<randomId>' a fresh UUID; '<freshRefreshToken>' the unused refresh token of a fresh sign-up. A `target…` placeholder names, for
 * the tenant's own principals, a fresh UUID (the call must change nothing: NOT_FOUND is the
 * business answer) and, for the OWNER of another tenant, the real row of the tenant under test,
 * which it must not reach.
 */
import { NOTICE_READERS, type Role } from '@compliance-graph/auth';

export type Who = 'anyone' | 'all' | 'staff' | 'readers' | 'admin' | 'self' | 'operator' | readonly Role[];
export type FieldWho = Who | 'parent' | { selfOr: readonly Role[] };

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface RootPolicy {
  who: Who;
  /** One small operation on the field; allowed calls succeed or fail only for business reasons. */
  probe: string;
  variables?: Record<string, Json>;
  /** The OWNER of another tenant, whose probe names a row of the tenant under test: it gets `null` (queries) or NOT_FOUND (mutations). */
  foreign?: 'null' | 'NOT_FOUND';
  /**
   * The tenant under test has none of what the field returns (a schedule that a probe of another
   * field would clear): every caller it admits gets `null`.
   */
  absent?: true;
  /** login, signUp, ...: the issued principal is the caller for the rest of the operation, so the field must be alone. */
  changesPrincipal?: true;
}

export interface EntityAccess {
  /** A document reaching one object of the type, with `%s` where the field goes. */
  document: string;
  variables?: Record<string, Json>;
  /** The root field the document starts from: its row decides the principals that get that far. */
  root: string;
  /** Path from `data` to the object(s); `[]` segments are lists (every element is checked). */
  object: readonly (string | number)[];
  /** Entity fields on the way whose own rules also apply (their denial shows as FORBIDDEN above the object). */
  through?: readonly string[];
}

export interface EntityTypePolicy {
  /** Its `_entities` representation: the row of the tenant under test the cells ask for. */
  representation: string;
  /** The key field the representation names it by, when not `id`. */
  key?: string;
  /**
   * Who the subgraph serves the object to through `_entities` (the router's way in, which no
   * Query rule sees): entity types carry a tenant rule, so every principal of the row's tenant.
   * A subgraph that holds only a stub of the entity (audit's Evidence and Membership) cannot
   * tell its tenant; what it adds (the audit trail) is filtered to the caller's tenant by RLS,
   * so the other tenant's OWNER gets an empty trail, and the check that none of the tenant's
   * bytes appear is what holds there. A list of roles: the owning subgraph's type rule also
   * asks for one of them (the proof of notice), and the other roles of the tenant find nothing.
   */
  entities: 'tenant' | readonly Role[];
  /** Through the gateway, from the type's own root field. */
  direct: EntityAccess;
  /** Through the gateway, nested through another entity (often another subgraph's). */
  nested?: EntityAccess;
  /**
   * Subgraphs that contribute fields to the type from a row of their own, looked up in the
   * caller's tenant (evidence's report of a review): unlike a stub, nothing there for a caller
   * without a tenant or of another tenant.
   */
  tenantRowIn?: readonly string[];
}

/** Who adds, revises and submits evidence (the contract's table). */
const CONTRIBUTORS: readonly Role[] = ['OWNER', 'ADMIN', 'COMPLIANCE_MANAGER', 'MEMBER'];

export const ROOT_POLICY: Record<string, RootPolicy> = {
  // ---- Query ---------------------------------------------------------------------------------------------
  'Query.viewer': { who: 'all', probe: '{ viewer { role principalKind } }' },
  'Query.tenant': { who: 'all', probe: '{ tenant { id name } }' },
  'Query.members': { who: 'staff', probe: '{ members(first: 50) { totalCount nodes { id role } } }' },
  'Query.user': { who: 'staff', probe: 'query ($id: ID!) { user(id: $id) { id displayName } }', variables: { id: '<member>' }, foreign: 'null' },
  'Query.invitations': { who: 'admin', probe: '{ invitations { id } }' },
  'Query.apiKeys': { who: 'readers', probe: '{ apiKeys { id name } }' },
  'Query.supportSessions': { who: 'readers', probe: '{ supportSessions { id } }' },
  'Query.accessReviews': { who: 'readers', probe: '{ accessReviews { id title } }' },
  // The tenant under test has no schedule, since the clearAccessReviewSchedule probe would end it; the e2e spec of schedules reads one.
  'Query.accessReviewSchedule': { who: 'readers', probe: '{ accessReviewSchedule { intervalDays nextStartAt } }', absent: true },
  'Query.accessReview': { who: 'readers', probe: 'query ($id: ID!) { accessReview(id: $id) { id title } }', variables: { id: '<accessReview>' }, foreign: 'null' },
  'Query.auditEvents': { who: 'readers', probe: '{ auditEvents(first: 5) { totalCount nodes { id action } } }' },
  'Query.auditEvent': { who: 'readers', probe: 'query ($id: ID!) { auditEvent(id: $id) { id action } }', variables: { id: '<auditEvent>' }, foreign: 'null' },
  'Query.auditCheckpoint': { who: 'readers', probe: '{ auditCheckpoint { treeSize rootHash } }' },
  // The other tenant's OWNER hears what it would for an event that does not exist (BAD_USER_INPUT, "No such event in this log").
  'Query.auditInclusionProof': {
    who: 'readers',
    probe: 'query ($id: ID!) { auditInclusionProof(eventId: $id) { leafIndex treeSize } }',
    variables: { id: '<auditEvent>' },
  },
  'Query.auditConsistencyProof': { who: 'readers', probe: '{ auditConsistencyProof(fromSize: 1, toSize: 1) { fromSize toSize } }' },
  'Query.verifyAuditLog': { who: 'readers', probe: '{ verifyAuditLog { ok eventsChecked } }' },
  'Query.auditPublicKeys': { who: 'all', probe: '{ auditPublicKeys { keyId } }' },
  'Query.evidence': { who: 'staff', probe: 'query ($id: ID!) { evidence(id: $id) { id title } }', variables: { id: '<evidence>' }, foreign: 'null' },
  'Query.evidenceList': { who: 'staff', probe: '{ evidenceList(first: 5) { totalCount nodes { id title } } }' },
  'Query.proofpack': { who: 'staff', probe: 'query ($id: ID!) { proofpack(id: $id) { id title } }', variables: { id: '<proofpack>' }, foreign: 'null' },
  'Query.proofpacks': { who: 'staff', probe: '{ proofpacks { id title } }' },
  'Query.proofpackSigningKeys': { who: 'all', probe: '{ proofpackSigningKeys { keyId algorithm } }' },
  'Query.subprocessors': { who: 'all', probe: '{ subprocessors { id name } }' },
  'Query.subprocessor': {
    who: 'all',
    probe: 'query ($id: ID!) { subprocessor(id: $id) { id name } }',
    variables: { id: '<subprocessor>' },
    foreign: 'null',
  },
  'Query.subprocessorChanges': { who: 'all', probe: '{ subprocessorChanges { id status } }' },
  // A partner sees its own subscriptions, OWNER and ADMIN the tenant's: an empty list for the other tenant's OWNER.
  'Query.webhookSubscriptions': { who: ['OWNER', 'ADMIN', 'PARTNER'], probe: '{ webhookSubscriptions { id url eventTypes } }' },

  // ---- Mutation: anyone (invalid input: answered before any write, throttle or password check) ------------
  'Mutation.signUp': {
    who: 'anyone',
    changesPrincipal: true,
    probe: 'mutation { signUp(input: { tenantName: "Never", tenantSlug: "Not A Slug!", email: "nobody@example.test", password: "long enough password", displayName: "Nobody" }) { role } }',
  },
  'Mutation.login': {
    who: 'anyone',
    changesPrincipal: true,
    probe: 'mutation { login(input: { tenantSlug: "Not A Slug!", email: "nobody@example.test", password: "long enough password" }) { role } }',
  },
  // An unknown refresh token is answered UNAUTHENTICATED by the resolver itself, indistinguishable from a denial: these get a real one.
  'Mutation.refreshSession': {
    who: 'anyone',
    changesPrincipal: true,
    probe: 'mutation ($token: String!) { refreshSession(refreshToken: $token) { role } }',
    variables: { token: '<freshRefreshToken>' },
  },
  'Mutation.logout': { who: 'anyone', probe: 'mutation ($token: String!) { logout(refreshToken: $token) }', variables: { token: '<freshRefreshToken>' } },
  'Mutation.acceptInvitation': {
    who: 'anyone',
    changesPrincipal: true,
    probe: 'mutation { acceptInvitation(input: { token: "cgi_no-such-invitation", displayName: "Nobody", password: "long enough password" }) { role } }',
  },

  // ---- Mutation: the user itself ----------------------------------------------------------------------------
  'Mutation.switchTenant': {
    who: 'self',
    changesPrincipal: true,
    probe: 'mutation ($id: ID!) { switchTenant(tenantId: $id) { role } }',
    variables: { id: '<randomId>' },
  },
  'Mutation.changePassword': { who: 'self', probe: 'mutation { changePassword(currentPassword: "certainly not the password", newPassword: "a long enough new passphrase") }' },
  'Mutation.startTotpEnrollment': { who: 'self', probe: 'mutation { startTotpEnrollment { otpauthUri } }' },
  'Mutation.confirmTotpEnrollment': { who: 'self', probe: 'mutation { confirmTotpEnrollment(code: "abcdef") { recoveryCodes } }' },
  'Mutation.regenerateRecoveryCodes': { who: 'self', probe: 'mutation { regenerateRecoveryCodes(totpCode: "abcdef") { recoveryCodes } }' },

  // ---- Mutation: admin --------------------------------------------------------------------------------------
  'Mutation.updateTenantSettings': { who: 'admin', probe: 'mutation { updateTenantSettings(input: { subprocessorNoticeDays: -1 }) { id } }' },
  'Mutation.resetMemberMfa': {
    who: 'admin',
    probe: 'mutation ($id: ID!) { resetMemberMfa(membershipId: $id, reason: "lost phone") { id } }',
    variables: { id: '<targetMembership>' },
    foreign: 'NOT_FOUND',
  },
  'Mutation.inviteMember': { who: 'admin', probe: 'mutation { inviteMember(email: "not an email", role: MEMBER) { token } }' },
  'Mutation.revokeInvitation': {
    who: 'admin',
    probe: 'mutation ($id: ID!) { revokeInvitation(id: $id) { id } }',
    variables: { id: '<randomId>' },
  },
  'Mutation.changeMemberRole': {
    who: 'admin',
    probe: 'mutation ($id: ID!) { changeMemberRole(membershipId: $id, role: ADMIN) { id } }',
    variables: { id: '<targetMembership>' },
    foreign: 'NOT_FOUND',
  },
  'Mutation.revokeMembership': {
    who: 'admin',
    probe: 'mutation ($id: ID!) { revokeMembership(membershipId: $id, reason: "left the company") { id } }',
    variables: { id: '<targetMembership>' },
    foreign: 'NOT_FOUND',
  },
  'Mutation.createApiKey': {
    who: 'admin',
    probe: 'mutation { createApiKey(input: { name: "Never created", role: PARTNER, expiresAt: "2000-01-01T00:00:00Z" }) { secret } }',
  },
  'Mutation.revokeApiKey': {
    who: 'admin',
    probe: 'mutation ($id: ID!) { revokeApiKey(id: $id) { id } }',
    variables: { id: '<targetApiKey>' },
    foreign: 'NOT_FOUND',
  },
  // The evidence probes name an upload or item that does not exist for the tenant's own
  // principals (NOT_FOUND, nothing changes) and the tenant's real item for the other OWNER.
  'Mutation.createEvidence': {
    who: CONTRIBUTORS,
    probe: `mutation ($upload: ID!) { createEvidence(input: { title: "Never created", controlRefs: ["SOC2:CC6.1"], sourceKind: UPLOAD,
              sourceRef: "policy.pdf", collectedAt: "2026-01-01T00:00:00Z", uploadId: $upload }) { id } }`,
    variables: { upload: '<randomId>' },
  },
  'Mutation.addEvidenceRevision': {
    who: CONTRIBUTORS,
    probe: 'mutation ($id: ID!, $upload: ID!) { addEvidenceRevision(evidenceId: $id, uploadId: $upload) { id } }',
    variables: { id: '<targetEvidence>', upload: '<randomId>' },
    foreign: 'NOT_FOUND',
  },
  'Mutation.submitEvidence': {
    who: CONTRIBUTORS,
    probe: 'mutation ($id: ID!) { submitEvidence(id: $id) { id status } }',
    variables: { id: '<targetEvidence>' },
    foreign: 'NOT_FOUND',
  },
  'Mutation.decideEvidence': {
    who: ['OWNER', 'ADMIN', 'COMPLIANCE_MANAGER'],
    probe: 'mutation ($id: ID!) { decideEvidence(id: $id, decision: APPROVE, rationale: "meets the control") { id status } }',
    variables: { id: '<targetEvidence>' },
    foreign: 'NOT_FOUND',
  },
  'Mutation.createProofpack': {
    who: ['OWNER', 'ADMIN', 'COMPLIANCE_MANAGER'],
    probe: 'mutation ($id: ID!) { createProofpack(title: "Never created", evidenceIds: [$id]) { id } }',
    variables: { id: '<targetEvidence>' },
    foreign: 'NOT_FOUND',
  },
  'Mutation.sealProofpack': {
    who: ['OWNER', 'ADMIN', 'COMPLIANCE_MANAGER'],
    probe: 'mutation ($id: ID!) { sealProofpack(id: $id) { id status } }',
    variables: { id: '<targetProofpack>' },
    foreign: 'NOT_FOUND',
  },
  // The webhook probes change nothing: no event type, or a subscription that does not exist.
  'Mutation.createWebhookSubscription': {
    who: ['OWNER', 'ADMIN', 'PARTNER'],
    probe: 'mutation { createWebhookSubscription(url: "https://example.com/hooks", eventTypes: []) { secret } }',
  },
  'Mutation.deleteWebhookSubscription': {
    who: ['OWNER', 'ADMIN', 'PARTNER'],
    probe: 'mutation ($id: ID!) { deleteWebhookSubscription(id: $id) }',
    variables: { id: '<randomId>' },
  },
  // The access-review probes change nothing: a due date in the past, or an item or review that
  // does not exist for the tenant's own principals (the tenant's real one for the other OWNER).
  'Mutation.startAccessReview': {
    who: 'admin',
    probe: 'mutation { startAccessReview(title: "Never started", dueAt: "2000-01-01T00:00:00Z") { id } }',
  },
  'Mutation.decideAccessReviewItem': {
    who: 'admin',
    probe: 'mutation ($id: ID!) { decideAccessReviewItem(itemId: $id, decision: KEEP, justification: "still needed") { id } }',
    variables: { id: '<targetAccessReviewItem>' },
    foreign: 'NOT_FOUND',
  },
  'Mutation.completeAccessReview': {
    who: 'admin',
    probe: 'mutation ($id: ID!) { completeAccessReview(id: $id) { id } }',
    variables: { id: '<targetAccessReview>' },
    foreign: 'NOT_FOUND',
  },
  'Mutation.cancelAccessReview': {
    who: 'admin',
    probe: 'mutation ($id: ID!) { cancelAccessReview(id: $id) { id } }',
    variables: { id: '<targetAccessReview>' },
    foreign: 'NOT_FOUND',
  },
  // An interval below the minimum (BAD_USER_INPUT), and a clear of a tenant that has no schedule (false).
  'Mutation.setAccessReviewSchedule': {
    who: 'admin',
    probe: 'mutation { setAccessReviewSchedule(intervalDays: 1, dueDays: 1, defaultAction: NONE) { intervalDays } }',
  },
  'Mutation.clearAccessReviewSchedule': { who: 'admin', probe: 'mutation { clearAccessReviewSchedule }' },
  'Mutation.openSupportSession': {
    who: 'operator',
    changesPrincipal: true,
    probe: 'mutation ($slug: String!) { openSupportSession(tenantSlug: $slug, reason: "ticket 1", minutes: 10) { role } }',
    variables: { slug: '<tenantSlug>' },
  },
  // The register probes name a change or entry that does not exist for the tenant's own
  // principals (NOT_FOUND, nothing changes) and the tenant's real one for the other OWNER.
  'Mutation.announceSubprocessorChange': {
    who: ['OWNER', 'ADMIN', 'COMPLIANCE_MANAGER'],
    probe: 'mutation ($id: ID!) { announceSubprocessorChange(input: { kind: REMOVED, subprocessorId: $id, effectiveAt: "2100-01-01T00:00:00Z" }) { id } }',
    variables: { id: '<targetSubprocessor>' },
    foreign: 'NOT_FOUND',
  },
  'Mutation.cancelSubprocessorChange': {
    who: ['OWNER', 'ADMIN', 'COMPLIANCE_MANAGER'],
    probe: 'mutation ($id: ID!) { cancelSubprocessorChange(id: $id, reason: "probe") { id } }',
    variables: { id: '<targetSubprocessorChange>' },
    foreign: 'NOT_FOUND',
  },
  'Mutation.objectToSubprocessorChange': {
    who: ['PARTNER'],
    probe: 'mutation ($id: ID!) { objectToSubprocessorChange(changeId: $id, reason: "probe") { id } }',
    variables: { id: '<targetSubprocessorChange>' },
  },
  // The contract: "the support session itself, or admin". The probe names another session, so
  // the support principal is refused like any non-admin.
  'Mutation.endSupportSession': {
    who: 'admin',
    probe: 'mutation ($id: ID!) { endSupportSession(id: $id) { id } }',
    variables: { id: '<randomId>' },
  },
};

const user = (selection: string) => `query ($id: ID!) { user(id: $id) { ${selection} } }`;

export const ENTITY_POLICY: Record<string, EntityTypePolicy> = {
  User: {
    representation: '<member>',
    entities: 'tenant',
    direct: { root: 'Query.user', document: user('%s'), variables: { id: '<member>' }, object: ['user'] },
    nested: {
      root: 'Query.evidence',
      document: 'query ($id: ID!) { evidence(id: $id) { createdBy { %s } } }',
      variables: { id: '<evidence>' },
      object: ['evidence', 'createdBy'],
    },
  },
  Tenant: {
    representation: '<tenant>',
    entities: 'tenant',
    direct: { root: 'Query.tenant', document: '{ tenant { %s } }', object: ['tenant'] },
    nested: { root: 'Query.viewer', document: '{ viewer { tenant { %s } } }', object: ['viewer', 'tenant'] },
  },
  Membership: {
    representation: '<membership>',
    entities: 'tenant',
    direct: { root: 'Query.members', document: '{ members(first: 50) { nodes { %s } } }', object: ['members', 'nodes', '[]'] },
  },
  ApiKey: {
    representation: '<apiKey>',
    entities: 'tenant',
    direct: { root: 'Query.apiKeys', document: '{ apiKeys { %s } }', object: ['apiKeys', '[]'] },
  },
  Proofpack: {
    representation: '<proofpack>',
    entities: 'tenant',
    direct: { root: 'Query.proofpack', document: 'query ($id: ID!) { proofpack(id: $id) { %s } }', variables: { id: '<proofpack>' }, object: ['proofpack'] },
  },
  Evidence: {
    representation: '<evidence>',
    entities: 'tenant',
    direct: { root: 'Query.evidence', document: 'query ($id: ID!) { evidence(id: $id) { %s } }', variables: { id: '<evidence>' }, object: ['evidence'] },
  },
  AuditEvent: {
    representation: '<auditEvent>',
    entities: 'tenant',
    direct: {
      root: 'Query.auditEvent',
      document: 'query ($id: ID!) { auditEvent(id: $id) { %s } }',
      variables: { id: '<auditEvent>' },
      object: ['auditEvent'],
    },
    // Audit events hang off identity's memberships: the gateway joins two subgraphs.
    nested: {
      root: 'Query.members',
      document: '{ members(first: 50) { nodes { auditTrail(first: 5) { nodes { %s } } } } }',
      object: ['members', 'nodes', '[]', 'auditTrail', 'nodes', '[]'],
      through: ['Membership.auditTrail'],
    },
  },
  // Identity's access reviews; evidence contributes `evidence` (the review's report).
  AccessReview: {
    representation: '<accessReview>',
    entities: 'tenant',
    direct: { root: 'Query.accessReview', document: 'query ($id: ID!) { accessReview(id: $id) { %s } }', variables: { id: '<accessReview>' }, object: ['accessReview'] },
    tenantRowIn: ['evidence'],
  },
  Subprocessor: {
    representation: '<subprocessor>',
    entities: 'tenant',
    direct: {
      root: 'Query.subprocessor',
      document: 'query ($id: ID!) { subprocessor(id: $id) { %s } }',
      variables: { id: '<subprocessor>' },
      object: ['subprocessor'],
    },
    nested: {
      root: 'Query.subprocessorChanges',
      document: '{ subprocessorChanges { subprocessor { %s } } }',
      object: ['subprocessorChanges', '[]', 'subprocessor'],
    },
  },
  SubprocessorChange: {
    representation: '<subprocessorChange>',
    entities: 'tenant',
    direct: { root: 'Query.subprocessorChanges', document: '{ subprocessorChanges { %s } }', object: ['subprocessorChanges', '[]'] },
  },
  // The change's proof of notice; audit adds the announcement's audit event and proof, from the tenant's log.
  SubprocessorChangeNotice: {
    representation: '<subprocessorChange>',
    key: 'changeId',
    entities: NOTICE_READERS,
    direct: {
      root: 'Query.subprocessorChanges',
      document: '{ subprocessorChanges { notice { %s } } }',
      object: ['subprocessorChanges', '[]', 'notice'],
      through: ['SubprocessorChange.notice'],
    },
    tenantRowIn: ['audit'],
  },
};

/** Per entity field: its own rule, or 'parent'. Every field of every entity type has a row. */
export const FIELD_POLICY: Record<string, FieldWho> = {
  'User.id': 'parent',
  'User.displayName': 'parent',
  'User.createdAt': 'parent',
  'User.email': { selfOr: ['OWNER', 'ADMIN', 'COMPLIANCE_MANAGER', 'AUDITOR', 'MEMBER'] },
  'User.mfaEnabled': { selfOr: ['OWNER', 'ADMIN', 'AUDITOR'] },
  'User.lastLoginAt': { selfOr: ['OWNER', 'ADMIN', 'AUDITOR'] },

  'Tenant.id': 'parent',
  'Tenant.name': 'parent',
  'Tenant.slug': 'parent',
  'Tenant.mfaRequired': 'parent',
  'Tenant.supportAccessAllowed': 'parent',
  'Tenant.subprocessorNoticeDays': 'parent',
  'Tenant.publicSubprocessorPage': 'parent',
  'Tenant.createdAt': 'parent',

  'Membership.id': 'parent',
  'Membership.role': 'parent',
  'Membership.createdAt': 'parent',
  'Membership.revokedAt': 'parent',
  'Membership.revokedReason': 'parent',
  'Membership.user': 'parent',
  'Membership.tenant': 'parent',
  'Membership.auditTrail': 'readers',

  'ApiKey.id': 'parent',
  'ApiKey.name': 'parent',
  'ApiKey.role': 'parent',
  'ApiKey.prefix': 'parent',
  'ApiKey.createdAt': 'parent',
  'ApiKey.expiresAt': 'parent',
  'ApiKey.lastUsedAt': 'parent',
  'ApiKey.revokedAt': 'parent',
  'ApiKey.createdBy': 'parent',

  'Evidence.id': 'parent',
  'Evidence.title': 'parent',
  'Evidence.description': 'parent',
  'Evidence.controlRefs': 'parent',
  'Evidence.sourceKind': 'parent',
  'Evidence.sourceRef': 'parent',
  'Evidence.collectedAt': 'parent',
  'Evidence.validUntil': 'parent',
  'Evidence.status': 'parent',
  'Evidence.createdAt': 'parent',
  'Evidence.createdBy': 'parent',
  'Evidence.expired': 'parent',
  'Evidence.currentRevision': 'parent',
  'Evidence.revisions': 'parent',
  'Evidence.decisions': 'parent',

  'Proofpack.id': 'parent',
  'Proofpack.title': 'parent',
  'Proofpack.description': 'parent',
  'Proofpack.status': 'parent',
  'Proofpack.evidence': 'parent',
  'Proofpack.createdAt': 'parent',
  'Proofpack.createdBy': 'parent',
  'Proofpack.sealedAt': 'parent',
  'Proofpack.sealedBy': 'parent',
  'Proofpack.manifestSha256': 'parent',
  'Proofpack.signature': 'parent',
  'Proofpack.keyId': 'parent',
  'Proofpack.downloadPath': 'parent',
  'Evidence.auditTrail': 'readers',

  'AuditEvent.id': 'parent',
  'AuditEvent.seq': 'parent',
  'AuditEvent.occurredAt': 'parent',
  'AuditEvent.recordedAt': 'parent',
  'AuditEvent.action': 'parent',
  'AuditEvent.actorKind': 'parent',
  'AuditEvent.actorId': 'parent',
  'AuditEvent.subjectType': 'parent',
  'AuditEvent.subjectId': 'parent',
  'AuditEvent.service': 'parent',
  'AuditEvent.ip': 'parent',
  'AuditEvent.userAgent': 'parent',
  'AuditEvent.reason': 'parent',
  'AuditEvent.data': 'parent',
  'AuditEvent.leafHash': 'parent',
  'AuditEvent.actor': 'parent',

  'AccessReview.id': 'parent',
  'AccessReview.title': 'parent',
  'AccessReview.status': 'parent',
  'AccessReview.createdBy': 'parent',
  'AccessReview.createdAt': 'parent',
  'AccessReview.dueAt': 'parent',
  'AccessReview.completedAt': 'parent',
  'AccessReview.items': 'parent',
  'AccessReview.summary': 'parent',
  'AccessReview.overdue': 'parent',
  'AccessReview.scopeDigest': 'parent',
  'AccessReview.defaultAction': 'parent',
  'AccessReview.scheduledFor': 'parent',
  'AccessReview.defaultActionFailure': 'parent',
  // The contract's readers of access reviews; the report is staff-readable evidence, found in evidenceList too.
  'AccessReview.evidence': 'readers',

  'Subprocessor.id': 'parent',
  'Subprocessor.name': 'parent',
  'Subprocessor.legalEntity': 'parent',
  'Subprocessor.website': 'parent',
  'Subprocessor.purpose': 'parent',
  'Subprocessor.dataCategories': 'parent',
  'Subprocessor.locations': 'parent',
  'Subprocessor.transferMechanism': 'parent',
  'Subprocessor.status': 'parent',
  'Subprocessor.activeFrom': 'parent',
  'Subprocessor.activeUntil': 'parent',

  'SubprocessorChange.id': 'parent',
  'SubprocessorChange.kind': 'parent',
  'SubprocessorChange.status': 'parent',
  'SubprocessorChange.subprocessor': 'parent',
  'SubprocessorChange.before': 'parent',
  'SubprocessorChange.after': 'parent',
  'SubprocessorChange.announcedAt': 'parent',
  'SubprocessorChange.effectiveAt': 'parent',
  'SubprocessorChange.objectionDeadline': 'parent',
  // Staff see every objection, a partner its own: the loader filters, so the field itself adds no rule.
  'SubprocessorChange.objections': 'parent',
  'SubprocessorChange.notice': NOTICE_READERS,

  // The notice type carries the same rule in each subgraph, for the router's `_entities`.
  'SubprocessorChangeNotice.changeId': NOTICE_READERS,
  'SubprocessorChangeNotice.announcedAt': NOTICE_READERS,
  'SubprocessorChangeNotice.deliveries': NOTICE_READERS,
  'SubprocessorChangeNotice.subscriptionsNotified': NOTICE_READERS,
  'SubprocessorChangeNotice.announcement': NOTICE_READERS,
  'SubprocessorChangeNotice.announcementProof': NOTICE_READERS,
};

export interface RoutePolicy {
  who: Who | 'public' | 'graphql';
  /** A request that reaches the route; allowed principals get `allowedStatus`. */
  probe: { method: 'GET' | 'POST'; path: string; body?: string; contentType?: string; headers?: Record<string, string> };
  /** What an allowed principal's probe answers: 200 unless the route creates something. */
  allowedStatus?: number;
  /** What the OWNER of another tenant gets for a probe that names a row of the tenant under test. */
  foreign?: number;
}

/** Every route the gateway serves, as RunningGateway.routes names it (`ALL` for a mounted path). */
export const ROUTE_POLICY: Record<string, RoutePolicy> = {
  'GET /healthz': { who: 'public', probe: { method: 'GET', path: '/healthz' } },
  'GET /readyz': { who: 'public', probe: { method: 'GET', path: '/readyz' } },
  'GET /.well-known/jwks.json': { who: 'public', probe: { method: 'GET', path: '/.well-known/jwks.json' } },
  // Every field of the graph has its rows above.
  'ALL /graphql': { who: 'graphql', probe: { method: 'POST', path: '/graphql' } },
  'GET /audit/export': { who: 'readers', probe: { method: 'GET', path: '/audit/export?format=ndjson' } },
  'POST /evidence/uploads': {
    who: ['OWNER', 'ADMIN', 'COMPLIANCE_MANAGER', 'MEMBER'],
    probe: { method: 'POST', path: '/evidence/uploads', body: 'x', contentType: 'text/plain', headers: { 'x-file-name': 'probe.txt' } },
    allowedStatus: 201,
  },
  'GET /evidence/proofpacks/:id/download': {
    who: 'staff',
    probe: { method: 'GET', path: '/evidence/proofpacks/<proofpack>/download' },
    foreign: 404,
  },
  // The tenant under test has not enabled its public page: every caller, with any credential or
  // none, gets the one 404 (an enabled page, for anyone, is public-page.e2e-spec.ts's).
  'GET /public/:tenantSlug/subprocessors': { who: 'public', probe: { method: 'GET', path: '/public/<tenantSlug>/subprocessors' }, allowedStatus: 404 },
  'GET /public/:tenantSlug/subprocessors.json': { who: 'public', probe: { method: 'GET', path: '/public/<tenantSlug>/subprocessors.json' }, allowedStatus: 404 },
  'GET /public/:tenantSlug/subprocessors.atom': { who: 'public', probe: { method: 'GET', path: '/public/<tenantSlug>/subprocessors.atom' }, allowedStatus: 404 },
};
