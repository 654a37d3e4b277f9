import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CURRENT_TENANT_SQL } from '@compliance-graph/db';

export class Mfa1764316800001 implements MigrationInterface {
  name = 'Mfa1764316800001';

  async up(runner: QueryRunner): Promise<void> {
    // Seeds are sealed with AES-256-GCM (ENCRYPTION_KEY), bound to the user's id; a pending seed
    // waits for its first code. The last used time step refuses a code replayed in its window.
    await runner.query(`
      ALTER TABLE identity.users
        ADD COLUMN totp_secret text,
        ADD COLUMN totp_pending_secret text,
        ADD COLUMN totp_last_step bigint,
        ADD CONSTRAINT users_mfa_has_secret CHECK (NOT mfa_enabled OR totp_secret IS NOT NULL)`);

    await runner.query(`
      CREATE TABLE identity.recovery_codes (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES identity.users(id),
        code_hash text NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        used_at timestamptz(3),
        UNIQUE (user_id, code_hash)
      )`);
    // Like users: a tenant reaches the codes of its own members only.
    await runner.query(`ALTER TABLE identity.recovery_codes ENABLE ROW LEVEL SECURITY`);
    await runner.query(`ALTER TABLE identity.recovery_codes FORCE ROW LEVEL SECURITY`);
    await runner.query(
      `CREATE POLICY member_codes ON identity.recovery_codes
         USING (EXISTS (SELECT 1 FROM identity.memberships m WHERE m.user_id = recovery_codes.user_id AND m.tenant_id = ${CURRENT_TENANT_SQL}))
         WITH CHECK (EXISTS (SELECT 1 FROM identity.memberships m WHERE m.user_id = recovery_codes.user_id AND m.tenant_id = ${CURRENT_TENANT_SQL}))`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE identity.recovery_codes`);
    await runner.query(
      `ALTER TABLE identity.users DROP CONSTRAINT users_mfa_has_secret, DROP COLUMN totp_last_step, DROP COLUMN totp_pending_secret, DROP COLUMN totp_secret`,
    );
  }
}
