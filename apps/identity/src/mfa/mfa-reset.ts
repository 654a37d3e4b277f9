import type { EntityManager } from 'typeorm';

/**
 * Clears a user's second factor: the authenticator, a pending enrolment and the recovery
 * codes. The user enrols again at the next sign-in where a tenant requires MFA. Callers decide
 * who may do this and record it in the affected tenants' audit logs.
 */
export async function clearUserMfa(tx: EntityManager, userId: string): Promise<void> {
  await tx.query(
    `UPDATE identity.users
        SET mfa_enabled = false, totp_secret = NULL, totp_pending_secret = NULL, totp_last_step = NULL
      WHERE id = $1`,
    [userId],
  );
  await tx.query(`DELETE FROM identity.recovery_codes WHERE user_id = $1`, [userId]);
}
