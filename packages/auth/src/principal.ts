export const ROLES = ['OWNER', 'ADMIN', 'COMPLIANCE_MANAGER', 'AUDITOR', 'MEMBER', 'PARTNER'] as const;
export type Role = (typeof ROLES)[number];

export const PRINCIPAL_KINDS = ['USER', 'API_KEY', 'SUPPORT'] as const;
export type PrincipalKind = (typeof PRINCIPAL_KINDS)[number];

/**
 * What a token grants: `full`, or `mfa_enrolment` for a member of a tenant that enforces MFA
 * who has not enrolled yet (only the enrolment root fields are open to it).
 */
export const TOKEN_SCOPES = ['full', 'mfa_enrolment'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** Role groups of the contract's permission table. */
export const STAFF: readonly Role[] = ['OWNER', 'ADMIN', 'COMPLIANCE_MANAGER', 'AUDITOR', 'MEMBER'];
export const ADMINS: readonly Role[] = ['OWNER', 'ADMIN'];
export const READERS: readonly Role[] = ['OWNER', 'ADMIN', 'AUDITOR'];
export const EDITORS: readonly Role[] = ['OWNER', 'ADMIN', 'COMPLIANCE_MANAGER', 'MEMBER'];
export const MANAGERS: readonly Role[] = ['OWNER', 'ADMIN', 'COMPLIANCE_MANAGER'];
/** Who reads a subprocessor change's proof of notice (subprocessors and audit): never partners, who would see each other's deliveries. */
export const NOTICE_READERS: readonly Role[] = ['OWNER', 'ADMIN', 'COMPLIANCE_MANAGER', 'AUDITOR'];

/** The caller of a request, taken from verified token claims only. */
export interface Principal {
  kind: PrincipalKind;
  /** User id for USER and SUPPORT principals, API key id for API_KEY. */
  subjectId: string;
  tenantId: string;
  role: Role;
  /** Login session, API key or support session the token belongs to. */
  sessionId: string;
  scope: TokenScope;
  /** The session passed a second factor. */
  mfa: boolean;
}

/**
 * The reserved origin of the platform audit log (operator grants, cross-tenant MFA resets,
 * migrations): the nil UUID, which no tenant can have (tenant ids are random v4 UUIDs, and
 * identity's tenants table refuses this one), no token may name and no principal carries.
 */
export const PLATFORM_TENANT_ID = '00000000-0000-0000-0000-000000000000';
