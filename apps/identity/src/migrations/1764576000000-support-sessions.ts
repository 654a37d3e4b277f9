import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CURRENT_TENANT_SQL, createLookupFunction } from '@compliance-graph/db';

export class SupportSessions1764576000000 implements MigrationInterface {
  name = 'SupportSessions1764576000000';

  async up(runner: QueryRunner): Promise<void> {
    // Platform operators are flagged by a CLI, never through the graph.
    await runner.query(`ALTER TABLE identity.users ADD COLUMN is_operator boolean NOT NULL DEFAULT false`);
    // A support session is a session of an operator in a tenant they are not a member of:
    // time-boxed, with a reason, listed to the tenant.
    await runner.query(`
      ALTER TABLE identity.sessions
        ADD COLUMN kind text NOT NULL DEFAULT 'USER' CHECK (kind IN ('USER', 'SUPPORT')),
        ADD COLUMN support_reason text,
        ADD CONSTRAINT sessions_support_has_reason CHECK ((kind = 'SUPPORT') = (support_reason IS NOT NULL))`);
    await runner.query(`CREATE INDEX sessions_support ON identity.sessions (tenant_id, created_at) WHERE kind = 'SUPPORT'`);
    // The contract: a user is visible to a tenant where it has or had a membership or a support session.
    await runner.query(`DROP POLICY users_visible ON identity.users`);
    await runner.query(
      `CREATE POLICY users_visible ON identity.users FOR SELECT USING (
         EXISTS (SELECT 1 FROM identity.memberships m WHERE m.user_id = users.id AND m.tenant_id = ${CURRENT_TENANT_SQL})
         OR EXISTS (SELECT 1 FROM identity.sessions s WHERE s.user_id = users.id AND s.kind = 'SUPPORT' AND s.tenant_id = ${CURRENT_TENANT_SQL}))`,
    );
    // An operator names the tenant by slug; whether it allows support access is all they learn.
    await createLookupFunction(runner, {
      schema: 'identity',
      signature: 'find_tenant_for_support(p_slug text)',
      returns: 'TABLE (tenant_id uuid, support_access_allowed boolean)',
      body: `SELECT id, support_access_allowed FROM identity.tenants WHERE slug = p_slug`,
    });
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION identity.find_tenant_for_support(text)`);
    await runner.query(`DROP POLICY users_visible ON identity.users`);
    await runner.query(
      `CREATE POLICY users_visible ON identity.users FOR SELECT USING (
         EXISTS (SELECT 1 FROM identity.memberships m WHERE m.user_id = users.id AND m.tenant_id = ${CURRENT_TENANT_SQL}))`,
    );
    await runner.query(`ALTER TABLE identity.sessions DROP CONSTRAINT sessions_support_has_reason, DROP COLUMN support_reason, DROP COLUMN kind`);
    await runner.query(`ALTER TABLE identity.users DROP COLUMN is_operator`);
  }
}
