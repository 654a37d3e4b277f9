import type { Role } from '@compliance-graph/auth';
import type { FieldWho, RootPolicy, Who } from './policy';

/**
 * Every kind of caller the matrix tries. The tenant under test's members of each role, its API
 * keys of each role a key may have, a support session, an enrolment-only token (the tenant
 * enforces MFA, the user has none), a member whose membership was revoked after sign-in, an
 * expired token, and the OWNER of another tenant.
 */
export const PRINCIPALS = [
  'anonymous',
  'OWNER',
  'ADMIN',
  'COMPLIANCE_MANAGER',
  'AUDITOR',
  'MEMBER',
  'PARTNER',
  'key:PARTNER',
  'key:AUDITOR',
  'key:MEMBER',
  'support',
  'enrolment',
  'revoked',
  'expired',
  'foreignOwner',
] as const;
export type PrincipalName = (typeof PRINCIPALS)[number];

/** What a cell may answer; `allowed` also covers business errors (NOT_FOUND, BAD_USER_INPUT, ...) for a call the permission layer let through. */
export type Outcome = 'allowed' | 'hidden' | 'null' | 'NOT_FOUND' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'MFA_REQUIRED' | 'REFUSED' | 'INTERNAL_SERVER_ERROR';

/** The contract's groups (its README, "Who may do what"), restated here so that a change in code cannot move them. */
const GROUPS: Record<'staff' | 'readers' | 'admin', readonly Role[]> = {
  staff: ['OWNER', 'ADMIN', 'COMPLIANCE_MANAGER', 'AUDITOR', 'MEMBER'],
  readers: ['OWNER', 'ADMIN', 'AUDITOR'],
  admin: ['OWNER', 'ADMIN'],
};
/** The contract's MFA paragraph: the only root fields an enrolment-only token may call. */
const ENROLMENT_ROOTS = new Set(['Query.viewer', 'Mutation.startTotpEnrollment', 'Mutation.confirmTotpEnrollment', 'Mutation.refreshSession', 'Mutation.logout']);

interface Facts {
  role: Role;
  kind: 'USER' | 'API_KEY' | 'SUPPORT';
}

/** The role and kind each authenticated principal acts with (a support session reads as AUDITOR; the enrolment token is an OWNER's). */
export function factsOf(principal: PrincipalName): Facts | undefined {
  if (principal.startsWith('key:')) return { role: principal.slice(4) as Role, kind: 'API_KEY' };
  if (principal === 'support') return { role: 'AUDITOR', kind: 'SUPPORT' };
  if (principal === 'enrolment' || principal === 'foreignOwner') return { role: 'OWNER', kind: 'USER' };
  if (principal === 'anonymous' || principal === 'revoked' || principal === 'expired') return undefined;
  return { role: principal as Role, kind: 'USER' };
}

function admits(who: Who, facts: Facts): boolean {
  if (who === 'anyone' || who === 'all') return true;
  if (who === 'self') return facts.kind === 'USER';
  if (who === 'operator') return false;
  return (Array.isArray(who) ? who : GROUPS[who as keyof typeof GROUPS]).includes(facts.role);
}

/**
 * A root field through the gateway. `revoked` and `expired` fail at the edge, before any
 * field; the enrolment-only token is held to its root fields; a support session changes
 * nothing; the foreign OWNER gets its own tenant's answer, or `foreign` when the probe names a
 * row of the tenant under test; nobody finds what the tenant does not have (`absent`).
 */
export function expectedAtRoot(coordinate: string, policy: RootPolicy, principal: PrincipalName): Outcome {
  if (principal === 'revoked' || principal === 'expired') return 'UNAUTHENTICATED';
  const facts = factsOf(principal);
  if (!facts) return policy.who === 'anyone' ? 'allowed' : 'UNAUTHENTICATED';
  if (principal === 'enrolment' && !ENROLMENT_ROOTS.has(coordinate)) return 'MFA_REQUIRED';
  if (facts.kind === 'SUPPORT' && coordinate.startsWith('Mutation.')) return 'FORBIDDEN';
  if (!admits(policy.who, facts)) return 'FORBIDDEN';
  if (principal === 'foreignOwner' && policy.foreign) return policy.foreign;
  return policy.absent ? 'null' : 'allowed';
}

/** A field's own rule, for an object the caller may see (never the caller's own user: `self` does not apply). */
export function expectedForField(who: FieldWho, facts: Facts): Outcome {
  if (who === 'parent') return 'allowed';
  const roles = typeof who === 'object' && 'selfOr' in who ? who.selfOr : undefined;
  if (roles) return roles.includes(facts.role) ? 'allowed' : 'hidden';
  return admits(who as Who, facts) ? 'allowed' : 'hidden';
}

/**
 * An entity field reached through the gateway from `root`: refused where the root is, the
 * object absent for the foreign OWNER, and otherwise the field's own rule.
 */
export function expectedThroughGateway(rootOutcome: Outcome, who: FieldWho, principal: PrincipalName, through: readonly FieldWho[] = []): Outcome {
  if (rootOutcome !== 'allowed') return rootOutcome === 'NOT_FOUND' ? 'null' : rootOutcome;
  const facts = factsOf(principal)!;
  if (through.some((rule) => expectedForField(rule, facts) === 'hidden')) return 'FORBIDDEN';
  return expectedForField(who, facts);
}

/**
 * An entity field through `_entities`, sent to its subgraph with the router secret: what the
 * router can ask for. Token verification is the subgraph's, session liveness the edge's (the
 * router secret vouches for it), so `revoked` is not a cell of this path. Entity types carry a
 * tenant rule: a caller without a tenant, or of another tenant, finds nothing. A field that a
 * subgraph adds to a stub of the entity (`fromStub`) is refused to a caller without a tenant
 * and answers the other tenant's OWNER from its own tenant (the audit trail, by RLS): nothing.
 * An owning type served to some roles only (`servedTo`) is nothing to the tenant's other roles.
 */
export function expectedThroughEntities(who: FieldWho, principal: PrincipalName, fromStub: boolean, servedTo: 'tenant' | readonly Role[] = 'tenant'): Outcome | undefined {
  if (principal === 'revoked') return undefined;
  if (principal === 'expired') return 'UNAUTHENTICATED';
  const facts = factsOf(principal);
  // A stub is no row: it stands for whatever the router names, and its fields check the caller.
  if (fromStub && !facts) return 'hidden';
  if (!facts || (principal === 'foreignOwner' && !fromStub)) return 'null';
  if (!fromStub && servedTo !== 'tenant' && !servedTo.includes(facts.role)) return 'null';
  return principal === 'foreignOwner' ? 'allowed' : expectedForField(who, facts);
}

/**
 * The HTTP status of a gateway route: on the routes it proxies (public ones aside) the edge
 * refuses a bad credential (401) before the route runs; then the route's own rule, where an
 * enrolment-only token is refused like any root field outside its list.
 */
export function expectedStatus(
  policy: { who: Who | 'public' | 'graphql'; allowedStatus?: number; foreign?: number },
  principal: PrincipalName,
  checkedAtEdge: boolean,
): number {
  if (checkedAtEdge && (principal === 'revoked' || principal === 'expired')) return 401;
  const allowed = policy.allowedStatus ?? 200;
  if (policy.who === 'public') return allowed;
  if (policy.who === 'graphql') throw new Error('the GraphQL endpoint is checked field by field');
  const facts = factsOf(principal);
  if (!facts) return 401;
  if (principal === 'enrolment') return 403;
  if (principal === 'foreignOwner' && policy.foreign !== undefined) return policy.foreign;
  return admits(policy.who, facts) ? allowed : 403;
}
