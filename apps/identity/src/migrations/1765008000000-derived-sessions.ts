import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createLookupFunction } from '@compliance-graph/db';

export class DerivedSessions1765008000000 implements MigrationInterface {
  name = 'DerivedSessions1765008000000';

  async up(runner: QueryRunner): Promise<void> {
    // A session opened by switchTenant derives from the caller's session: it inherits its
    // sign-in time, MFA state and absolute expiry, and stands only while that one stands (a
    // stolen access token must not become an independent 30-day session).
    await runner.query(`ALTER TABLE identity.sessions ADD COLUMN origin_session_id uuid`);
    // The origin lives in another tenant, which RLS hides: this yes/no walks the chain of origins.
    await createLookupFunction(runner, {
      schema: 'identity',
      signature: 'origin_stands(p_session_id uuid)',
      returns: 'boolean',
      body: `WITH RECURSIVE chain AS (
               SELECT id, origin_session_id, revoked_at, expires_at FROM identity.sessions WHERE id = p_session_id
               UNION ALL
               SELECT s.id, s.origin_session_id, s.revoked_at, s.expires_at
                 FROM identity.sessions s JOIN chain c ON s.id = c.origin_session_id
             )
             SELECT count(*) > 0 AND bool_and(revoked_at IS NULL AND expires_at > now()) FROM chain`,
    });
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP FUNCTION identity.origin_stands(uuid)`);
    await runner.query(`ALTER TABLE identity.sessions DROP COLUMN origin_session_id`);
  }
}
