import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CURRENT_TENANT_SQL, serviceRoles } from '@compliance-graph/db';

const { app } = serviceRoles('identity');

/** The columns of `users` the request paths write: sign-up and invitation insert, sign-in, password and MFA update. */
const INSERTED = ['id', 'email', 'display_name', 'password_hash'];
const UPDATED = ['password_hash', 'sessions_valid_after', 'last_login_at', 'mfa_enabled', 'totp_secret', 'totp_pending_secret', 'totp_last_step'];

const activeMember = (userColumn: string) =>
  `EXISTS (SELECT 1 FROM identity.memberships m
            WHERE m.user_id = ${userColumn} AND m.tenant_id = ${CURRENT_TENANT_SQL} AND m.revoked_at IS NULL)`;
const anyMember = (userColumn: string) =>
  `EXISTS (SELECT 1 FROM identity.memberships m WHERE m.user_id = ${userColumn} AND m.tenant_id = ${CURRENT_TENANT_SQL})`;

export class ConfinedUserWrites1765094400000 implements MigrationInterface {
  name = 'ConfinedUserWrites1765094400000';

  async up(runner: QueryRunner): Promise<void> {
    // Users are global: a tenant-scoped request that could write any column of a member's row
    // could make that person a platform operator (`is_operator`). The app role writes only the
    // columns its paths need; the operator flag is the worker's (the operator CLI).
    await runner.query(`REVOKE INSERT, UPDATE, DELETE ON identity.users FROM ${app}`);
    await runner.query(`GRANT INSERT (${INSERTED.join(', ')}) ON identity.users TO ${app}`);
    await runner.query(`GRANT UPDATE (${UPDATED.join(', ')}) ON identity.users TO ${app}`);
    // A tenant still sees a former member (history names them) but no longer changes their
    // account or reaches their recovery codes.
    await runner.query(`DROP POLICY users_update ON identity.users`);
    await runner.query(
      `CREATE POLICY users_update ON identity.users FOR UPDATE USING (${activeMember('users.id')}) WITH CHECK (${activeMember('users.id')})`,
    );
    await runner.query(`DROP POLICY member_codes ON identity.recovery_codes`);
    await runner.query(
      `CREATE POLICY member_codes ON identity.recovery_codes
         USING (${activeMember('recovery_codes.user_id')}) WITH CHECK (${activeMember('recovery_codes.user_id')})`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP POLICY member_codes ON identity.recovery_codes`);
    await runner.query(
      `CREATE POLICY member_codes ON identity.recovery_codes
         USING (${anyMember('recovery_codes.user_id')}) WITH CHECK (${anyMember('recovery_codes.user_id')})`,
    );
    await runner.query(`DROP POLICY users_update ON identity.users`);
    await runner.query(`CREATE POLICY users_update ON identity.users FOR UPDATE USING (${anyMember('users.id')}) WITH CHECK (${anyMember('users.id')})`);
    await runner.query(`REVOKE INSERT, UPDATE ON identity.users FROM ${app}`);
    await runner.query(`GRANT INSERT, UPDATE, DELETE ON identity.users TO ${app}`);
  }
}
