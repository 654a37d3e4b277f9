import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantRls } from '@compliance-graph/db';

/**
 * A tenant's recurring access reviews. The schedule row is the scheduler's only state: its
 * `next_start_at` moves on in the transaction that starts the review, and a review started for
 * a slot names it (`scheduled_for`, unique per tenant), so a slot never starts twice, whatever
 * restarts or second instances do. A review remembers the default action it was started with.
 */
export class AccessReviewSchedules1765612800000 implements MigrationInterface {
  name = 'AccessReviewSchedules1765612800000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE identity.access_review_schedules (
        tenant_id uuid PRIMARY KEY REFERENCES identity.tenants (id),
        interval_days integer NOT NULL CHECK (interval_days BETWEEN 7 AND 366),
        due_days integer NOT NULL CHECK (due_days BETWEEN 1 AND interval_days),
        default_action text NOT NULL CHECK (default_action IN ('NONE', 'COMPLETE_KEEP_UNDECIDED')),
        next_start_at timestamptz(3) NOT NULL,
        set_by uuid NOT NULL,
        set_at timestamptz(3) NOT NULL
      )`);
    await runner.query(`CREATE INDEX access_review_schedules_next ON identity.access_review_schedules (next_start_at)`);
    await enableTenantRls(runner, 'identity', 'access_review_schedules');
    await runner.query(`
      ALTER TABLE identity.access_reviews
        ADD COLUMN default_action text NOT NULL DEFAULT 'NONE' CHECK (default_action IN ('NONE', 'COMPLETE_KEEP_UNDECIDED')),
        ADD COLUMN scheduled_for timestamptz(3),
        ADD COLUMN default_action_failure text CHECK (length(default_action_failure) BETWEEN 1 AND 2000),
        ADD CONSTRAINT access_reviews_one_per_slot UNIQUE (tenant_id, scheduled_for)`);
    await runner.query(`
      CREATE INDEX access_reviews_default_action_due ON identity.access_reviews (due_at)
        WHERE status = 'IN_PROGRESS' AND default_action <> 'NONE' AND default_action_failure IS NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE identity.access_reviews
        DROP COLUMN default_action, DROP COLUMN scheduled_for, DROP COLUMN default_action_failure`);
    await runner.query(`DROP TABLE identity.access_review_schedules`);
  }
}
