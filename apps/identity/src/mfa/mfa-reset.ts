import type { EntityManager } from 'typeorm';
import { UserEntity } from '../user/user.entity';
import { clearRecoveryCodes } from './recovery-code.store';

/**
 * Clears a user's second factor: the authenticator, a pending enrolment and the recovery
 * codes. The user enrols again at the next sign-in where a tenant requires MFA. Callers decide
 * who may do this and record it in the affected tenants' audit logs.
 */
export async function clearUserMfa(tx: EntityManager, userId: string): Promise<void> {
  await tx.update(UserEntity, { id: userId }, { mfaEnabled: false, totpSecret: null, totpPendingSecret: null, totpLastStep: null });
  await clearRecoveryCodes(tx, userId);
}
