import { randomUUID } from 'node:crypto';
import type { Principal, Role } from '@compliance-graph/auth';
import { admin } from './database';
import { mintToken, principal } from './tokens';

export interface TestMember {
  userId: string;
  membershipId: string;
  role: Role;
  email: string;
  displayName: string;
}

export interface TestTenant {
  tenantId: string;
  slug: string;
  owner: TestMember;
}

const unique = () => randomUUID().slice(0, 8);

/**
 * A fresh tenant with its OWNER, written straight into identity's tables (requires the
 * identity schema to be migrated). Every test makes its own, so no test depends on another's
 * data or on truncation. Sign-up through the API replaces this once identity implements it.
 */
export async function createTenant(name = 'Test tenant'): Promise<TestTenant> {
  const tenantId = randomUUID();
  const slug = `t-${unique()}`;
  await admin().query(`INSERT INTO identity.tenants (id, name, slug) VALUES ($1, $2, $3)`, [tenantId, name, slug]);
  const owner = await addMember(tenantId, 'OWNER');
  return { tenantId, slug, owner };
}

export async function addMember(tenantId: string, role: Role, displayName = `${role.toLowerCase()} ${unique()}`): Promise<TestMember> {
  const userId = randomUUID();
  const membershipId = randomUUID();
  const email = `${unique()}@example.test`;
  await admin().query(`INSERT INTO identity.users (id, email, display_name) VALUES ($1, $2, $3)`, [userId, email, displayName]);
  await admin().query(`INSERT INTO identity.memberships (id, tenant_id, user_id, role) VALUES ($1, $2, $3, $4)`, [
    membershipId,
    tenantId,
    userId,
    role,
  ]);
  return { userId, membershipId, role, email, displayName };
}

/**
 * A platform operator (a member of another tenant only) in an open support session of
 * `tenantId`, the row openSupportSession writes (it is also what makes the operator visible to
 * the tenant), and the principal of that session: it reads as an AUDITOR.
 */
export async function openSupportSession(tenantId: string, reason = 'ticket 1: test'): Promise<Principal> {
  const operator = (await createTenant('Platform operators')).owner;
  await admin().query(`UPDATE identity.users SET is_operator = true WHERE id = $1`, [operator.userId]);
  const sessionId = randomUUID();
  await admin().query(
    `INSERT INTO identity.sessions (id, tenant_id, user_id, mfa_passed, expires_at, kind, support_reason)
     VALUES ($1, $2, $3, true, now() + interval '1 hour', 'SUPPORT', $4)`,
    [sessionId, tenantId, operator.userId, reason],
  );
  return principal(tenantId, 'AUDITOR', { kind: 'SUPPORT', subjectId: operator.userId, sessionId, mfa: true });
}

/**
 * A live login session for a member, written like identity writes one, and an access token
 * for it: what the gateway's session check accepts. Revoking the row (or the membership)
 * makes the token fail at the gateway, as a real session would.
 */
export async function signIn(tenantId: string, member: TestMember, overrides: Partial<Principal> = {}): Promise<{ token: string; sessionId: string }> {
  const sessionId = randomUUID();
  await admin().query(
    `INSERT INTO identity.sessions (id, tenant_id, user_id, mfa_passed, expires_at) VALUES ($1, $2, $3, $4, now() + interval '1 day')`,
    [sessionId, tenantId, member.userId, overrides.mfa ?? false],
  );
  const token = await mintToken(principal(tenantId, member.role, { subjectId: member.userId, sessionId, ...overrides }));
  return { token, sessionId };
}
