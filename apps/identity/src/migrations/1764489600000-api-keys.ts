import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createLookupFunction, enableTenantRls } from '@compliance-graph/db';

export class ApiKeys1764489600000 implements MigrationInterface {
  name = 'ApiKeys1764489600000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE identity.api_keys (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES identity.tenants(id),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        role text NOT NULL CHECK (role IN ('PARTNER','AUDITOR','MEMBER')),
        prefix text NOT NULL UNIQUE,
        secret_hash bytea NOT NULL UNIQUE CHECK (length(secret_hash) = 32),
        created_by uuid NOT NULL REFERENCES identity.users(id),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        expires_at timestamptz(3) NOT NULL,
        last_used_at timestamptz(3),
        revoked_at timestamptz(3),
        CHECK (expires_at <= created_at + interval '365 days')
      )`);
    await runner.query(`CREATE INDEX api_keys_tenant ON identity.api_keys (tenant_id, created_at)`);
    await enableTenantRls(runner, 'identity', 'api_keys');
    // The gateway exchanges a key it has never seen: find its tenant by the key's hash.
    await createLookupFunction(runner, {
      schema: 'identity',
      signature: 'find_api_key(p_hash bytea)',
      returns: 'TABLE (tenant_id uuid, api_key_id uuid)',
      body: `SELECT tenant_id, id FROM identity.api_keys WHERE secret_hash = p_hash`,
    });
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION identity.find_api_key(bytea)`);
    await runner.query(`DROP TABLE identity.api_keys`);
  }
}
