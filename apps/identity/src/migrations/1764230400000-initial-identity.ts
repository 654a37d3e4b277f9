import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CURRENT_TENANT_SQL, enableTenantRls } from '@compliance-graph/db';
import { createOutboxTable } from '@compliance-graph/outbox';

export class InitialIdentity1764230400000 implements MigrationInterface {
  name = 'InitialIdentity1764230400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE identity.tenants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'),
        mfa_required boolean NOT NULL DEFAULT false,
        support_access_allowed boolean NOT NULL DEFAULT false,
        subprocessor_notice_days integer NOT NULL DEFAULT 30 CHECK (subprocessor_notice_days BETWEEN 0 AND 365),
        public_subprocessor_page boolean NOT NULL DEFAULT false,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await enableTenantRls(runner, 'identity', 'tenants', 'id');

    await runner.query(`
      CREATE TABLE identity.users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL UNIQUE CHECK (email = lower(btrim(email))),
        display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
        password_hash text,
        mfa_enabled boolean NOT NULL DEFAULT false,
        last_login_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);

    await runner.query(`
      CREATE TABLE identity.memberships (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES identity.tenants(id),
        user_id uuid NOT NULL REFERENCES identity.users(id),
        role text NOT NULL CHECK (role IN ('OWNER','ADMIN','COMPLIANCE_MANAGER','AUDITOR','MEMBER','PARTNER')),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        revoked_at timestamptz(3),
        revoked_reason text
      )`);
    await runner.query(
      `CREATE UNIQUE INDEX memberships_active ON identity.memberships (tenant_id, user_id) WHERE revoked_at IS NULL`,
    );
    await runner.query(`CREATE INDEX memberships_user ON identity.memberships (user_id)`);
    await enableTenantRls(runner, 'identity', 'memberships');

    // Users are global; a tenant sees (and may update) those it has or had a membership with.
    // The memberships subquery is itself filtered to the current tenant by its own policy.
    await runner.query(`ALTER TABLE identity.users ENABLE ROW LEVEL SECURITY`);
    await runner.query(`ALTER TABLE identity.users FORCE ROW LEVEL SECURITY`);
    const member = `EXISTS (SELECT 1 FROM identity.memberships m WHERE m.user_id = users.id AND m.tenant_id = ${CURRENT_TENANT_SQL})`;
    await runner.query(`CREATE POLICY users_visible ON identity.users FOR SELECT USING (${member})`);
    await runner.query(`CREATE POLICY users_update ON identity.users FOR UPDATE USING (${member}) WITH CHECK (${member})`);
    // A user row is created before its first membership, inside a tenant-scoped transaction.
    await runner.query(
      `CREATE POLICY users_insert ON identity.users FOR INSERT WITH CHECK (${CURRENT_TENANT_SQL} IS NOT NULL)`,
    );

    await createOutboxTable(runner, 'identity');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE identity.outbox, identity.memberships, identity.users, identity.tenants`);
  }
}
