/**
 * The identity subgraph's permission table, as data: the contract README's "Who may do what"
 * (and its MFA paragraph) written out cell by cell for every identity root field and every
 * field or entity type with a rule of its own. permission-table.int-spec.ts runs each cell
 * in process against the real schema and database; a permission change is a diff here.
 *
 * How to read it
 * - A row is one small operation on the identity subgraph. `object` is the path of the thing
 *   the row is about (default: the operation's one root field); `field` names a field-level
 *   rule (`Type.field`) when the row is about one field of that object.
 * - `expect` gives, per caller, what the permission layer must answer:
 *     'allowed'          no UNAUTHENTICATED / FORBIDDEN / MFA_REQUIRED at (or above, or in) the
 *                        object. A business error (BAD_USER_INPUT, NOT_FOUND, CONFLICT) still
 *                        counts: the permission layer let the call through. The documents are
 *                        chosen so that allowed calls succeed or fail only for such reasons
 *                        (and change nothing that matters).
 *     'UNAUTHENTICATED', 'FORBIDDEN', 'MFA_REQUIRED'
 *                        that code at the object (or above it).
 *     'null'             the object is null with no error at all: the contract's "a row of
 *                        another tenant is indistinguishable from a row that does not exist".
 *     'hidden'           (field rows) the object is there, the field is null (with FORBIDDEN on
 *                        that field, or silently); the fixture gives every such field a value.
 * - Callers (columns): anonymous (no token); one USER of each role in the tenant under test;
 *   support = a support session (kind SUPPORT, role AUDITOR); enrolment = an enrolment-only
 *   token (scope mfa_enrolment, role OWNER); foreignOwner = the OWNER of another tenant, whose
 *   own-tenant calls are ordinary OWNER calls but who must see nothing of the tenant under test
 *   (the `user(id)` and `_entities` rows name that tenant's rows); apiKey = an API key of the
 *   tenant with role AUDITOR (a reader), which is no user: "the user itself" rows refuse it.
 * - Placeholders in `variables`, filled in per cell by the test: '<tenant>' the tenant under
 *   test ('<tenantSlug>' its slug), '<other>' / '<otherMembership>' a MEMBER of it who is not the caller (user id /
 *   membership id; email, mfaEnabled and lastLoginAt all set), '<apiKey>' the id of an API key
 *   of that tenant, '<accessReview>' an open access review of it, '<randomId>' a fresh UUID that names nothing, '<freshRefreshToken>' the
 *   unused refresh token of a fresh sign-up.
 *
 * Choices where the contract leaves a cell open (documented, not accidental):
 * - `refreshSession` / `logout` get a real, unused refresh token: with an unknown one the
 *   resolver itself answers UNAUTHENTICATED, which would be indistinguishable from a denial.
 * - `signUp` / `login` get an invalid tenant slug, so they answer BAD_USER_INPUT before any
 *   write, throttling or password check; `acceptInvitation` an unknown token (BAD_USER_INPUT,
 *   the contract's answer for it); `inviteMember` an invalid email; the admin mutations that
 *   name a row get '<randomId>' (NOT_FOUND); `updateTenantSettings` an out-of-range value.
 * - The User field rows read the caller's own user through `viewer { user }` (open to every
 *   authenticated caller, the enrolment-only token included: "fields of the objects those
 *   return follow their usual rules"), and another member through `user(id)` (the client's
 *   way, staff only) and through `_entities` (the router's way, which reaches PARTNER too: the
 *   contract makes a User visible to PARTNER but not its email, mfaEnabled or lastLoginAt).
 * - `_entities` is the router's field, not a contract root field; no client operation open to
 *   an anonymous or enrolment-only caller reaches it. Those cells follow the type rules: an
 *   anonymous caller has no tenant, so nothing is found ('null'); an enrolment-only token gets
 *   its role's usual answer. For the role dimension of Membership and ApiKey entities the
 *   contract is silent (no client operation reaches them through `_entities`); these rows
 *   follow the design's "entity types carry a tenant rule", so every role of the tenant,
 *   PARTNER included, reads them and the rows state tenant isolation.
 * - The support caller is an operator (a member of another tenant only) with an open support
 *   session row in the tenant under test, as openSupportSession writes it; that row is what the
 *   contract's User visibility names (e2e/src/identity-support.e2e-spec.ts opens them through
 *   the graph).
 *
 * Adding a root field, a field rule or an entity type to identity: add its row to
 * PERMISSION_TABLE (the coverage tests fail until then). Adding a caller: add it to CALLERS
 * and a column to every row (the type checker lists the rows that lack it).
 */

export const CALLERS = [
  'anonymous',
  'OWNER',
  'ADMIN',
  'COMPLIANCE_MANAGER',
  'AUDITOR',
  'MEMBER',
  'PARTNER',
  'support',
  'enrolment',
  'foreignOwner',
  'apiKey',
] as const;
export type Caller = (typeof CALLERS)[number];

export const OUTCOMES = ['allowed', 'UNAUTHENTICATED', 'FORBIDDEN', 'MFA_REQUIRED', 'null', 'hidden'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const PLACEHOLDERS = ['<tenant>', '<tenantSlug>', '<other>', '<otherMembership>', '<apiKey>', '<accessReview>', '<randomId>', '<freshRefreshToken>'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface PermissionRow {
  /** Unique; each cell's test is named `<name> as <caller> -> <outcome>`. */
  name: string;
  document: string;
  variables?: Record<string, Json>;
  /** Path of the object the row is about; default: the document's one root field. */
  object?: readonly (string | number)[];
  /** A field-level rule, `Type.field`: the row is about this field of `object`. */
  field?: string;
  expect: Record<Caller, Outcome>;
}

const entities = (fragment: string) => `query ($representations: [_Any!]!) { _entities(representations: $representations) { ${fragment} } }`;
const OTHER_USER = { representations: [{ __typename: 'User', id: '<other>' }] };
const FIRST_ENTITY = ['_entities', 0] as const;
const OWN_USER = ['viewer', 'user'] as const;

// Aligned by hand: one line of expectations per row, so a diff names the row and the cell.
export const PERMISSION_TABLE: readonly PermissionRow[] = [
  // ---- Query ------------------------------------------------------------------------------------------------------
  {
    name: 'viewer',
    document: '{ viewer { principalKind role } }',
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'allowed', AUDITOR: 'allowed', MEMBER: 'allowed', PARTNER: 'allowed',   support: 'allowed',   enrolment: 'allowed',      foreignOwner: 'allowed', apiKey: 'allowed' },
  },
  {
    name: 'tenant',
    document: '{ tenant { id name } }',
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'allowed', AUDITOR: 'allowed', MEMBER: 'allowed', PARTNER: 'allowed',   support: 'allowed',   enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'allowed' },
  },
  {
    name: 'members',
    document: '{ members { totalCount } }',
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'allowed', AUDITOR: 'allowed', MEMBER: 'allowed', PARTNER: 'FORBIDDEN', support: 'allowed',   enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'allowed' },
  },
  {
    name: 'user',
    document: 'query ($id: ID!) { user(id: $id) { id displayName } }',
    variables: { id: '<other>' },
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'allowed', AUDITOR: 'allowed', MEMBER: 'allowed', PARTNER: 'FORBIDDEN', support: 'allowed',   enrolment: 'MFA_REQUIRED', foreignOwner: 'null', apiKey: 'allowed' },
  },
  {
    name: 'invitations',
    document: '{ invitations { id } }',
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'FORBIDDEN', AUDITOR: 'FORBIDDEN', MEMBER: 'FORBIDDEN', PARTNER: 'FORBIDDEN', support: 'FORBIDDEN', enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'FORBIDDEN' },
  },
  {
    name: 'apiKeys',
    document: '{ apiKeys { id } }',
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'FORBIDDEN', AUDITOR: 'allowed', MEMBER: 'FORBIDDEN', PARTNER: 'FORBIDDEN', support: 'allowed',   enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'allowed' },
  },
  {
    name: 'supportSessions',
    document: '{ supportSessions { id } }',
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'FORBIDDEN', AUDITOR: 'allowed', MEMBER: 'FORBIDDEN', PARTNER: 'FORBIDDEN', support: 'allowed',   enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'allowed' },
  },
  {
    name: 'accessReviews',
    document: '{ accessReviews { id } }',
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'FORBIDDEN', AUDITOR: 'allowed', MEMBER: 'FORBIDDEN', PARTNER: 'FORBIDDEN', support: 'allowed',   enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'allowed' },
  },
  // The tenant has no schedule: its readers are told null.
  {
    name: 'accessReviewSchedule',
    document: '{ accessReviewSchedule { intervalDays } }',
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'null', ADMIN: 'null', COMPLIANCE_MANAGER: 'FORBIDDEN', AUDITOR: 'null', MEMBER: 'FORBIDDEN', PARTNER: 'FORBIDDEN', support: 'null',   enrolment: 'MFA_REQUIRED', foreignOwner: 'null', apiKey: 'null' },
  },
  {
    name: 'accessReview',
    document: 'query ($id: ID!) { accessReview(id: $id) { id title } }',
    variables: { id: '<accessReview>' },
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'FORBIDDEN', AUDITOR: 'allowed', MEMBER: 'FORBIDDEN', PARTNER: 'FORBIDDEN', support: 'allowed',   enrolment: 'MFA_REQUIRED', foreignOwner: 'null', apiKey: 'allowed' },
  },

  // ---- Mutation: anyone, anonymous included (a support session changes nothing) -----------------------------------
  {
    name: 'signUp',
    document: 'mutation { signUp(input: { tenantName: "Never created", tenantSlug: "Not A Slug!", email: "nobody@example.test", password: "long enough password", displayName: "Nobody" }) { role } }',
    expect: { anonymous: 'allowed',         OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'allowed', AUDITOR: 'allowed', MEMBER: 'allowed', PARTNER: 'allowed',   support: 'FORBIDDEN', enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'allowed' },
  },
  {
    name: 'login',
    document: 'mutation { login(input: { tenantSlug: "Not A Slug!", email: "nobody@example.test", password: "long enough password" }) { role } }',
    expect: { anonymous: 'allowed',         OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'allowed', AUDITOR: 'allowed', MEMBER: 'allowed', PARTNER: 'allowed',   support: 'FORBIDDEN', enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'allowed' },
  },
  {
    name: 'refreshSession',
    document: 'mutation ($token: String!) { refreshSession(refreshToken: $token) { role } }',
    variables: { token: '<freshRefreshToken>' },
    expect: { anonymous: 'allowed',         OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'allowed', AUDITOR: 'allowed', MEMBER: 'allowed', PARTNER: 'allowed',   support: 'FORBIDDEN', enrolment: 'allowed',      foreignOwner: 'allowed', apiKey: 'allowed' },
  },
  {
    name: 'logout',
    document: 'mutation ($token: String!) { logout(refreshToken: $token) }',
    variables: { token: '<freshRefreshToken>' },
    expect: { anonymous: 'allowed',         OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'allowed', AUDITOR: 'allowed', MEMBER: 'allowed', PARTNER: 'allowed',   support: 'FORBIDDEN', enrolment: 'allowed',      foreignOwner: 'allowed', apiKey: 'allowed' },
  },

  {
    name: 'acceptInvitation',
    document: 'mutation { acceptInvitation(input: { token: "cgi_no-such-invitation", displayName: "Nobody", password: "long enough password" }) { role } }',
    expect: { anonymous: 'allowed',         OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'allowed', AUDITOR: 'allowed', MEMBER: 'allowed', PARTNER: 'allowed',   support: 'FORBIDDEN', enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'allowed' },
  },

  // ---- Mutation: the user itself (not API keys, not support sessions) ---------------------------------------------
  {
    name: 'switchTenant',
    document: 'mutation ($id: ID!) { switchTenant(tenantId: $id) { role } }',
    variables: { id: '<randomId>' },
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'allowed', AUDITOR: 'allowed', MEMBER: 'allowed', PARTNER: 'allowed',   support: 'FORBIDDEN', enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'FORBIDDEN' },
  },
  {
    name: 'changePassword',
    document: 'mutation { changePassword(currentPassword: "certainly not the password", newPassword: "a long enough new passphrase") }',
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'allowed', AUDITOR: 'allowed', MEMBER: 'allowed', PARTNER: 'allowed',   support: 'FORBIDDEN', enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'FORBIDDEN' },
  },
  {
    name: 'startTotpEnrollment',
    document: 'mutation { startTotpEnrollment { otpauthUri } }',
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'allowed', AUDITOR: 'allowed', MEMBER: 'allowed', PARTNER: 'allowed',   support: 'FORBIDDEN', enrolment: 'allowed',      foreignOwner: 'allowed', apiKey: 'FORBIDDEN' },
  },
  {
    name: 'confirmTotpEnrollment',
    document: 'mutation { confirmTotpEnrollment(code: "abcdef") { recoveryCodes } }',
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'allowed', AUDITOR: 'allowed', MEMBER: 'allowed', PARTNER: 'allowed',   support: 'FORBIDDEN', enrolment: 'allowed',      foreignOwner: 'allowed', apiKey: 'FORBIDDEN' },
  },
  {
    name: 'regenerateRecoveryCodes',
    document: 'mutation { regenerateRecoveryCodes(totpCode: "abcdef") { recoveryCodes } }',
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'allowed', AUDITOR: 'allowed', MEMBER: 'allowed', PARTNER: 'allowed',   support: 'FORBIDDEN', enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'FORBIDDEN' },
  },

  // ---- Mutation: admin (OWNER, ADMIN) -----------------------------------------------------------------------------
  {
    name: 'updateTenantSettings',
    document: 'mutation { updateTenantSettings(input: { subprocessorNoticeDays: -1 }) { id } }',
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'FORBIDDEN', AUDITOR: 'FORBIDDEN', MEMBER: 'FORBIDDEN', PARTNER: 'FORBIDDEN', support: 'FORBIDDEN', enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'FORBIDDEN' },
  },
  {
    name: 'resetMemberMfa',
    document: 'mutation ($id: ID!) { resetMemberMfa(membershipId: $id, reason: "lost phone") { id } }',
    variables: { id: '<randomId>' },
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'FORBIDDEN', AUDITOR: 'FORBIDDEN', MEMBER: 'FORBIDDEN', PARTNER: 'FORBIDDEN', support: 'FORBIDDEN', enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'FORBIDDEN' },
  },

  {
    name: 'inviteMember',
    document: 'mutation { inviteMember(email: "not an email", role: MEMBER) { token } }',
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'FORBIDDEN', AUDITOR: 'FORBIDDEN', MEMBER: 'FORBIDDEN', PARTNER: 'FORBIDDEN', support: 'FORBIDDEN', enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'FORBIDDEN' },
  },
  {
    name: 'revokeInvitation',
    document: 'mutation ($id: ID!) { revokeInvitation(id: $id) { id } }',
    variables: { id: '<randomId>' },
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'FORBIDDEN', AUDITOR: 'FORBIDDEN', MEMBER: 'FORBIDDEN', PARTNER: 'FORBIDDEN', support: 'FORBIDDEN', enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'FORBIDDEN' },
  },
  {
    name: 'changeMemberRole',
    document: 'mutation ($id: ID!) { changeMemberRole(membershipId: $id, role: MEMBER) { id } }',
    variables: { id: '<randomId>' },
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'FORBIDDEN', AUDITOR: 'FORBIDDEN', MEMBER: 'FORBIDDEN', PARTNER: 'FORBIDDEN', support: 'FORBIDDEN', enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'FORBIDDEN' },
  },
  {
    name: 'revokeMembership',
    document: 'mutation ($id: ID!) { revokeMembership(membershipId: $id, reason: "left the company") { id } }',
    variables: { id: '<randomId>' },
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'FORBIDDEN', AUDITOR: 'FORBIDDEN', MEMBER: 'FORBIDDEN', PARTNER: 'FORBIDDEN', support: 'FORBIDDEN', enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'FORBIDDEN' },
  },
  {
    name: 'createApiKey',
    document: 'mutation { createApiKey(input: { name: "Never created", role: PARTNER, expiresAt: "2000-01-01T00:00:00Z" }) { secret } }',
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'FORBIDDEN', AUDITOR: 'FORBIDDEN', MEMBER: 'FORBIDDEN', PARTNER: 'FORBIDDEN', support: 'FORBIDDEN', enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'FORBIDDEN' },
  },
  {
    name: 'revokeApiKey',
    document: 'mutation ($id: ID!) { revokeApiKey(id: $id) { id } }',
    variables: { id: '<randomId>' },
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'FORBIDDEN', AUDITOR: 'FORBIDDEN', MEMBER: 'FORBIDDEN', PARTNER: 'FORBIDDEN', support: 'FORBIDDEN', enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'FORBIDDEN' },
  },
  // A due date in the past: allowed callers get BAD_USER_INPUT and nothing starts.
  {
    name: 'startAccessReview',
    document: 'mutation { startAccessReview(title: "Never started", dueAt: "2000-01-01T00:00:00Z") { id } }',
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'FORBIDDEN', AUDITOR: 'FORBIDDEN', MEMBER: 'FORBIDDEN', PARTNER: 'FORBIDDEN', support: 'FORBIDDEN', enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'FORBIDDEN' },
  },
  {
    name: 'decideAccessReviewItem',
    document: 'mutation ($id: ID!) { decideAccessReviewItem(itemId: $id, decision: KEEP, justification: "still needed") { id } }',
    variables: { id: '<randomId>' },
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'FORBIDDEN', AUDITOR: 'FORBIDDEN', MEMBER: 'FORBIDDEN', PARTNER: 'FORBIDDEN', support: 'FORBIDDEN', enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'FORBIDDEN' },
  },
  {
    name: 'completeAccessReview',
    document: 'mutation ($id: ID!) { completeAccessReview(id: $id) { id } }',
    variables: { id: '<randomId>' },
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'FORBIDDEN', AUDITOR: 'FORBIDDEN', MEMBER: 'FORBIDDEN', PARTNER: 'FORBIDDEN', support: 'FORBIDDEN', enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'FORBIDDEN' },
  },
  {
    name: 'cancelAccessReview',
    document: 'mutation ($id: ID!) { cancelAccessReview(id: $id) { id } }',
    variables: { id: '<randomId>' },
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'FORBIDDEN', AUDITOR: 'FORBIDDEN', MEMBER: 'FORBIDDEN', PARTNER: 'FORBIDDEN', support: 'FORBIDDEN', enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'FORBIDDEN' },
  },
  // An interval below the minimum: allowed callers get BAD_USER_INPUT and no schedule is set.
  {
    name: 'setAccessReviewSchedule',
    document: 'mutation { setAccessReviewSchedule(intervalDays: 1, dueDays: 1, defaultAction: NONE) { intervalDays } }',
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'FORBIDDEN', AUDITOR: 'FORBIDDEN', MEMBER: 'FORBIDDEN', PARTNER: 'FORBIDDEN', support: 'FORBIDDEN', enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'FORBIDDEN' },
  },
  // The tenant has no schedule: allowed callers are told false and nothing changes.
  {
    name: 'clearAccessReviewSchedule',
    document: 'mutation { clearAccessReviewSchedule }',
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'FORBIDDEN', AUDITOR: 'FORBIDDEN', MEMBER: 'FORBIDDEN', PARTNER: 'FORBIDDEN', support: 'FORBIDDEN', enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'FORBIDDEN' },
  },
  // None of the table's callers is a platform operator: every user is refused by the service.
  {
    name: 'openSupportSession',
    document: 'mutation ($slug: String!) { openSupportSession(tenantSlug: $slug, reason: "ticket 1", minutes: 10) { role } }',
    variables: { slug: '<tenantSlug>' },
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'FORBIDDEN', ADMIN: 'FORBIDDEN', COMPLIANCE_MANAGER: 'FORBIDDEN', AUDITOR: 'FORBIDDEN', MEMBER: 'FORBIDDEN', PARTNER: 'FORBIDDEN', support: 'FORBIDDEN', enrolment: 'MFA_REQUIRED', foreignOwner: 'FORBIDDEN', apiKey: 'FORBIDDEN' },
  },
  // The support caller names a session that is not its own: only its own may it end.
  {
    name: 'endSupportSession',
    document: 'mutation ($id: ID!) { endSupportSession(id: $id) { id } }',
    variables: { id: '<randomId>' },
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'FORBIDDEN', AUDITOR: 'FORBIDDEN', MEMBER: 'FORBIDDEN', PARTNER: 'FORBIDDEN', support: 'FORBIDDEN', enrolment: 'MFA_REQUIRED', foreignOwner: 'allowed', apiKey: 'FORBIDDEN' },
  },

  // ---- User fields of the caller itself ---------------------------------------------------------------------------
  {
    name: 'User.email of the caller itself',
    document: '{ viewer { user { id email } } }',
    object: OWN_USER,
    field: 'User.email',
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'allowed', AUDITOR: 'allowed', MEMBER: 'allowed', PARTNER: 'allowed',   support: 'allowed',   enrolment: 'allowed',      foreignOwner: 'allowed', apiKey: 'null' },
  },
  {
    name: 'User.mfaEnabled of the caller itself',
    document: '{ viewer { user { id mfaEnabled } } }',
    object: OWN_USER,
    field: 'User.mfaEnabled',
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'allowed', AUDITOR: 'allowed', MEMBER: 'allowed', PARTNER: 'allowed',   support: 'allowed',   enrolment: 'allowed',      foreignOwner: 'allowed', apiKey: 'null' },
  },
  {
    name: 'User.lastLoginAt of the caller itself',
    document: '{ viewer { user { id lastLoginAt } } }',
    object: OWN_USER,
    field: 'User.lastLoginAt',
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'allowed', AUDITOR: 'allowed', MEMBER: 'allowed', PARTNER: 'allowed',   support: 'allowed',   enrolment: 'allowed',      foreignOwner: 'allowed', apiKey: 'null' },
  },

  // ---- User fields of another member, through user(id) ------------------------------------------------------------
  {
    name: 'User.email of another member through user(id)',
    document: 'query ($id: ID!) { user(id: $id) { id email } }',
    variables: { id: '<other>' },
    field: 'User.email',
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'allowed', AUDITOR: 'allowed', MEMBER: 'allowed', PARTNER: 'FORBIDDEN', support: 'allowed',   enrolment: 'MFA_REQUIRED', foreignOwner: 'null', apiKey: 'allowed' },
  },
  {
    name: 'User.mfaEnabled of another member through user(id)',
    document: 'query ($id: ID!) { user(id: $id) { id mfaEnabled } }',
    variables: { id: '<other>' },
    field: 'User.mfaEnabled',
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'hidden',  AUDITOR: 'allowed', MEMBER: 'hidden',  PARTNER: 'FORBIDDEN', support: 'allowed',   enrolment: 'MFA_REQUIRED', foreignOwner: 'null', apiKey: 'allowed' },
  },
  {
    name: 'User.lastLoginAt of another member through user(id)',
    document: 'query ($id: ID!) { user(id: $id) { id lastLoginAt } }',
    variables: { id: '<other>' },
    field: 'User.lastLoginAt',
    expect: { anonymous: 'UNAUTHENTICATED', OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'hidden',  AUDITOR: 'allowed', MEMBER: 'hidden',  PARTNER: 'FORBIDDEN', support: 'allowed',   enrolment: 'MFA_REQUIRED', foreignOwner: 'null', apiKey: 'allowed' },
  },

  // ---- Entities through _entities (the router's way in; type rules only) ------------------------------------------
  {
    name: 'Tenant entity of the tenant',
    document: entities('... on Tenant { id name }'),
    variables: { representations: [{ __typename: 'Tenant', id: '<tenant>' }] },
    object: FIRST_ENTITY,
    expect: { anonymous: 'null',            OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'allowed', AUDITOR: 'allowed', MEMBER: 'allowed', PARTNER: 'allowed',   support: 'allowed',   enrolment: 'allowed',      foreignOwner: 'null', apiKey: 'allowed' },
  },
  {
    name: 'Membership entity of another member',
    document: entities('... on Membership { id role }'),
    variables: { representations: [{ __typename: 'Membership', id: '<otherMembership>' }] },
    object: FIRST_ENTITY,
    expect: { anonymous: 'null',            OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'allowed', AUDITOR: 'allowed', MEMBER: 'allowed', PARTNER: 'allowed',   support: 'allowed',   enrolment: 'allowed',      foreignOwner: 'null', apiKey: 'allowed' },
  },
  {
    name: 'ApiKey entity of the tenant',
    document: entities('... on ApiKey { id name }'),
    variables: { representations: [{ __typename: 'ApiKey', id: '<apiKey>' }] },
    object: FIRST_ENTITY,
    expect: { anonymous: 'null',            OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'allowed', AUDITOR: 'allowed', MEMBER: 'allowed', PARTNER: 'allowed',   support: 'allowed',   enrolment: 'allowed',      foreignOwner: 'null', apiKey: 'allowed' },
  },
  {
    name: 'AccessReview entity of the tenant',
    document: entities('... on AccessReview { id title }'),
    variables: { representations: [{ __typename: 'AccessReview', id: '<accessReview>' }] },
    object: FIRST_ENTITY,
    expect: { anonymous: 'null',            OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'allowed', AUDITOR: 'allowed', MEMBER: 'allowed', PARTNER: 'allowed',   support: 'allowed',   enrolment: 'allowed',      foreignOwner: 'null', apiKey: 'allowed' },
  },
  {
    name: 'User entity of another member',
    document: entities('... on User { id displayName createdAt }'),
    variables: OTHER_USER,
    object: FIRST_ENTITY,
    expect: { anonymous: 'null',            OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'allowed', AUDITOR: 'allowed', MEMBER: 'allowed', PARTNER: 'allowed',   support: 'allowed',   enrolment: 'allowed',      foreignOwner: 'null', apiKey: 'allowed' },
  },
  {
    name: 'User.email of another member through _entities',
    document: entities('... on User { id email }'),
    variables: OTHER_USER,
    object: FIRST_ENTITY,
    field: 'User.email',
    expect: { anonymous: 'null',            OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'allowed', AUDITOR: 'allowed', MEMBER: 'allowed', PARTNER: 'hidden',    support: 'allowed',   enrolment: 'allowed',      foreignOwner: 'null', apiKey: 'allowed' },
  },
  {
    name: 'User.mfaEnabled of another member through _entities',
    document: entities('... on User { id mfaEnabled }'),
    variables: OTHER_USER,
    object: FIRST_ENTITY,
    field: 'User.mfaEnabled',
    expect: { anonymous: 'null',            OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'hidden',  AUDITOR: 'allowed', MEMBER: 'hidden',  PARTNER: 'hidden',    support: 'allowed',   enrolment: 'allowed',      foreignOwner: 'null', apiKey: 'allowed' },
  },
  {
    name: 'User.lastLoginAt of another member through _entities',
    document: entities('... on User { id lastLoginAt }'),
    variables: OTHER_USER,
    object: FIRST_ENTITY,
    field: 'User.lastLoginAt',
    expect: { anonymous: 'null',            OWNER: 'allowed', ADMIN: 'allowed', COMPLIANCE_MANAGER: 'hidden',  AUDITOR: 'allowed', MEMBER: 'hidden',  PARTNER: 'hidden',    support: 'allowed',   enrolment: 'allowed',      foreignOwner: 'null', apiKey: 'allowed' },
  },
];
