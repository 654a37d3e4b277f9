import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createLookupFunction, enableTenantRls } from '@compliance-graph/db';

export class Sessions1764316800000 implements MigrationInterface {
  name = 'Sessions1764316800000';

  async up(runner: QueryRunner): Promise<void> {
    // A password change ends every session authenticated before it (except the changing one,
    // which re-authenticates); stored on the global user row so it reaches every tenant.
    await runner.query(
      `ALTER TABLE identity.users ADD COLUMN sessions_valid_after timestamptz(3) NOT NULL DEFAULT '-infinity'`,
    );

    await runner.query(`
      CREATE TABLE identity.sessions (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES identity.tenants(id),
        user_id uuid NOT NULL REFERENCES identity.users(id),
        mfa_passed boolean NOT NULL DEFAULT false,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        authenticated_at timestamptz(3) NOT NULL DEFAULT now(),
        expires_at timestamptz(3) NOT NULL,
        revoked_at timestamptz(3),
        revoked_reason text
      )`);
    await runner.query(`CREATE INDEX sessions_user ON identity.sessions (tenant_id, user_id) WHERE revoked_at IS NULL`);
    await enableTenantRls(runner, 'identity', 'sessions');

    // Opaque, single-use refresh tokens, stored only as SHA-256; a session is a family of them.
    await runner.query(`
      CREATE TABLE identity.refresh_tokens (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        session_id uuid NOT NULL REFERENCES identity.sessions(id),
        token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        expires_at timestamptz(3) NOT NULL,
        used_at timestamptz(3)
      )`);
    await runner.query(`CREATE INDEX refresh_tokens_session ON identity.refresh_tokens (session_id)`);
    await enableTenantRls(runner, 'identity', 'refresh_tokens');

    // Failed-login counters by hashed key (account = slug + email, or client address): no
    // tenant, no personal data in clear.
    await runner.query(`
      CREATE TABLE identity.login_throttle (
        key text PRIMARY KEY,
        failures integer NOT NULL,
        window_started_at timestamptz(3) NOT NULL,
        blocked_until timestamptz(3)
      )`);

    // Before a login the tenant is unknown: find it by slug, and the member by email, returning
    // the password hash only for an active membership of that tenant.
    await createLookupFunction(runner, {
      schema: 'identity',
      signature: 'find_login(p_slug text, p_email text)',
      returns: 'TABLE (tenant_id uuid, user_id uuid, password_hash text, mfa_enabled boolean, membership_id uuid, role text)',
      body: `SELECT t.id, u.id, u.password_hash, u.mfa_enabled, m.id, m.role
               FROM identity.tenants t
               LEFT JOIN identity.memberships m ON m.tenant_id = t.id AND m.revoked_at IS NULL
                     AND m.user_id = (SELECT id FROM identity.users WHERE email = p_email)
               LEFT JOIN identity.users u ON u.id = m.user_id
              WHERE t.slug = p_slug`,
    });
    // A refresh token arrives without a tenant: find which tenant and session it belongs to.
    await createLookupFunction(runner, {
      schema: 'identity',
      signature: 'find_refresh_token(p_hash bytea)',
      returns: 'TABLE (tenant_id uuid, session_id uuid)',
      body: `SELECT tenant_id, session_id FROM identity.refresh_tokens WHERE token_hash = p_hash`,
    });
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION identity.find_refresh_token(bytea), identity.find_login(text, text)`);
    await runner.query(`DROP TABLE identity.login_throttle, identity.refresh_tokens, identity.sessions`);
    await runner.query(`ALTER TABLE identity.users DROP COLUMN sessions_valid_after`);
  }
}
