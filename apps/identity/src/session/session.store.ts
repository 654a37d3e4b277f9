import type { DataSource, EntityManager } from 'typeorm';
import type { Role } from '@compliance-graph/auth';

/** What a sign-in needs before the tenant's transaction: the tenant, and the user and membership if they exist. */
export interface LoginCandidate {
  tenantId: string;
  userId: string | null;
  passwordHash: string | null;
  mfaEnabled: boolean | null;
  membershipId: string | null;
  role: Role | null;
}

/** A sign-in's tenant, user and membership by slug and email (a lookup across tenants, in a database function). */
export async function findLoginCandidate(db: DataSource, tenantSlug: string, email: string): Promise<LoginCandidate | undefined> {
  const [found]: LoginCandidate[] = await db.query(
    `SELECT tenant_id AS "tenantId", user_id AS "userId", password_hash AS "passwordHash", mfa_enabled AS "mfaEnabled",
            membership_id AS "membershipId", role
       FROM find_login($1, $2)`,
    [tenantSlug, email],
  );
  return found;
}

/** The session a refresh token belongs to, by the token's hash (a lookup across tenants, in a database function). */
export async function findRefreshToken(db: DataSource, tokenHash: Buffer): Promise<{ tenantId: string; sessionId: string } | undefined> {
  const [found]: Array<{ tenantId: string; sessionId: string }> = await db.query(
    `SELECT tenant_id AS "tenantId", session_id AS "sessionId" FROM find_refresh_token($1)`,
    [tokenHash],
  );
  return found;
}

/** Whether the session a derived session came from (in another tenant) still stands, in a database function. */
export async function originSessionStands(tx: EntityManager, originSessionId: string): Promise<boolean> {
  const [{ stands }]: Array<{ stands: boolean }> = await tx.query(`SELECT origin_stands($1) AS stands`, [originSessionId]);
  return stands;
}
