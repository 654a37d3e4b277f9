import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantRls, serviceRoles } from '@compliance-graph/db';

const { app } = serviceRoles('evidence');

/**
 * The reports of completed access reviews, one per review: which outbox message brought it and
 * which evidence item records it. The row makes a redelivered message, or a second message
 * about the same review, record nothing new; like revisions, the app role never changes one.
 */
export class AccessReviewReports1765353600000 implements MigrationInterface {
  name = 'AccessReviewReports1765353600000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE evidence.access_review_reports (
        tenant_id uuid NOT NULL,
        review_id uuid NOT NULL,
        event_id uuid NOT NULL,
        evidence_id uuid NOT NULL UNIQUE REFERENCES evidence.evidence (id),
        recorded_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, review_id),
        UNIQUE (tenant_id, event_id)
      )`);
    await enableTenantRls(runner, 'evidence', 'access_review_reports');
    await runner.query(`REVOKE UPDATE, DELETE ON evidence.access_review_reports FROM ${app}`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE evidence.access_review_reports`);
  }
}
