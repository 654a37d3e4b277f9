import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CURRENT_TENANT_SQL, createLookupFunction } from '@compliance-graph/db';

export class MfaResetScope1764748800000 implements MigrationInterface {
  name = 'MfaResetScope1764748800000';

  async up(runner: QueryRunner): Promise<void> {
    // MFA belongs to the user, not to one membership: an admin of one tenant resetting it would
    // weaken the user's sign-in to every other tenant too. resetMemberMfa asks this first; the
    // admin learns only yes or no, never which tenants.
    await createLookupFunction(runner, {
      schema: 'identity',
      signature: 'member_elsewhere(p_user_id uuid)',
      returns: 'boolean',
      body: `SELECT EXISTS (SELECT 1 FROM identity.memberships
                             WHERE user_id = p_user_id AND revoked_at IS NULL
                               AND tenant_id IS DISTINCT FROM ${CURRENT_TENANT_SQL})`,
    });
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION identity.member_elsewhere(uuid)`);
  }
}
