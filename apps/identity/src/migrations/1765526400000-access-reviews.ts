import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantRls, serviceRoles } from '@compliance-graph/db';

const { app } = serviceRoles('identity');

/**
 * Access reviews and their frozen scope. A membership's last sign-in into its tenant is tracked
 * apart from the user's (global) last login, since dormancy is per tenant. Items are the
 * snapshot taken at the start: the app role may record decisions on them, never change what
 * they describe, and removes neither reviews nor items.
 */
export class AccessReviews1765526400000 implements MigrationInterface {
  name = 'AccessReviews1765526400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE identity.memberships ADD COLUMN last_sign_in_at timestamptz(3)`);
    await runner.query(`
      CREATE TABLE identity.access_reviews (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES identity.tenants (id),
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
        status text NOT NULL DEFAULT 'IN_PROGRESS' CHECK (status IN ('IN_PROGRESS', 'COMPLETED', 'CANCELLED')),
        created_by uuid NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        due_at timestamptz(3) NOT NULL,
        scope_digest text NOT NULL CHECK (scope_digest ~ '^[0-9a-f]{64}$'),
        previous_review_id uuid REFERENCES identity.access_reviews (id),
        completed_at timestamptz(3),
        completed_by uuid,
        cancelled_at timestamptz(3),
        cancelled_by uuid
      )`);
    await runner.query(`CREATE INDEX access_reviews_tenant_created ON identity.access_reviews (tenant_id, created_at DESC)`);
    await enableTenantRls(runner, 'identity', 'access_reviews');
    await runner.query(`
      CREATE TABLE identity.access_review_items (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        review_id uuid NOT NULL REFERENCES identity.access_reviews (id),
        membership_id uuid REFERENCES identity.memberships (id),
        api_key_id uuid REFERENCES identity.api_keys (id),
        owner_user_id uuid NOT NULL,
        role_at_start text NOT NULL,
        flags text[] NOT NULL DEFAULT '{}',
        signals jsonb NOT NULL DEFAULT '[]',
        decision text CHECK (decision IN ('KEEP', 'REVOKE', 'CHANGE_ROLE')),
        new_role text,
        justification text CHECK (length(justification) BETWEEN 1 AND 2000),
        decided_by uuid,
        decided_at timestamptz(3),
        CHECK ((membership_id IS NULL) <> (api_key_id IS NULL)),
        CHECK ((decision = 'CHANGE_ROLE') = (new_role IS NOT NULL)),
        CHECK ((decision IS NULL) = (decided_by IS NULL))
      )`);
    await runner.query(`CREATE INDEX access_review_items_review ON identity.access_review_items (review_id, id)`);
    await enableTenantRls(runner, 'identity', 'access_review_items');
    await runner.query(`REVOKE UPDATE, DELETE ON identity.access_review_items FROM ${app}`);
    await runner.query(`GRANT UPDATE (decision, new_role, justification, decided_by, decided_at) ON identity.access_review_items TO ${app}`);
    await runner.query(`REVOKE DELETE ON identity.access_reviews FROM ${app}`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE identity.access_review_items, identity.access_reviews`);
    await runner.query(`ALTER TABLE identity.memberships DROP COLUMN last_sign_in_at`);
  }
}
