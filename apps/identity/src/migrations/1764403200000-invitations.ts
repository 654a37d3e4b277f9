import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createLookupFunction, enableTenantRls } from '@compliance-graph/db';

export class Invitations1764403200000 implements MigrationInterface {
  name = 'Invitations1764403200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE identity.invitations (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES identity.tenants(id),
        email text NOT NULL CHECK (email = lower(btrim(email))),
        role text NOT NULL CHECK (role IN ('OWNER','ADMIN','COMPLIANCE_MANAGER','AUDITOR','MEMBER','PARTNER')),
        token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
        invited_by uuid NOT NULL REFERENCES identity.users(id),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        expires_at timestamptz(3) NOT NULL,
        accepted_at timestamptz(3),
        accepted_by uuid REFERENCES identity.users(id),
        revoked_at timestamptz(3),
        CHECK (accepted_at IS NULL OR revoked_at IS NULL)
      )`);
    await runner.query(`CREATE INDEX invitations_tenant ON identity.invitations (tenant_id, created_at)`);
    await enableTenantRls(runner, 'identity', 'invitations');

    // An invitation token arrives without a tenant. Besides the invitation, it tells whether
    // its email already belongs to a user (who then proves their password, and code if any).
    await createLookupFunction(runner, {
      schema: 'identity',
      signature: 'find_invitation(p_hash bytea)',
      returns: 'TABLE (tenant_id uuid, invitation_id uuid, existing_user_id uuid, existing_password_hash text, existing_mfa_enabled boolean)',
      body: `SELECT i.tenant_id, i.id, u.id, u.password_hash, u.mfa_enabled
               FROM identity.invitations i LEFT JOIN identity.users u ON u.email = i.email
              WHERE i.token_hash = p_hash`,
    });
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION identity.find_invitation(bytea)`);
    await runner.query(`DROP TABLE identity.invitations`);
  }
}
