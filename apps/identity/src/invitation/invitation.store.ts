import type { DataSource } from 'typeorm';

/** An open invitation found by its token, with the invitee's account if they already have one. */
export interface FoundInvitation {
  tenantId: string;
  invitationId: string;
  existingUserId: string | null;
  existingPasswordHash: string | null;
  existingMfaEnabled: boolean | null;
}

/** Finds an invitation by its token's hash before the tenant is known (a lookup across tenants, in a database function). */
export async function findInvitationByToken(db: DataSource, tokenHash: Buffer): Promise<FoundInvitation | undefined> {
  const [found]: FoundInvitation[] = await db.query(
    `SELECT tenant_id AS "tenantId", invitation_id AS "invitationId", existing_user_id AS "existingUserId",
            existing_password_hash AS "existingPasswordHash", existing_mfa_enabled AS "existingMfaEnabled"
       FROM find_invitation($1)`,
    [tokenHash],
  );
  return found;
}
