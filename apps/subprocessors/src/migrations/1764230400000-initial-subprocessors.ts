import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantRls } from '@compliance-graph/db';
import { createOutboxTable } from '@compliance-graph/outbox';

export class InitialSubprocessors1764230400000 implements MigrationInterface {
  name = 'InitialSubprocessors1764230400000';

  async up(runner: QueryRunner): Promise<void> {
    // tenant_id has no foreign key: tenants live in identity's schema, possibly another database.
    // A NULL array element would break the non-null list items of the graph; array_to_string
    // writes it as '?', which the patterns below refuse.
    await runner.query(`
      CREATE TABLE subprocessors.subprocessors (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        legal_entity text CHECK (length(legal_entity) BETWEEN 1 AND 200),
        website text CHECK (website ~ '^https?://'),
        purpose text NOT NULL CHECK (length(purpose) > 0),
        data_categories text[] NOT NULL CHECK (array_position(data_categories, NULL) IS NULL),
        locations text[] NOT NULL CHECK (array_to_string(locations, ',', '?') ~ '^([A-Z]{2}(,[A-Z]{2})*)?$'),
        transfer_mechanism text NOT NULL
          CHECK (transfer_mechanism IN ('ADEQUACY_DECISION','SCC','BCR','DEROGATION','NOT_APPLICABLE')),
        status text NOT NULL CHECK (status IN ('PLANNED','ACTIVE','RETIRED')),
        active_from timestamptz(3),
        active_until timestamptz(3),
        CHECK (active_until IS NULL OR (active_from IS NOT NULL AND active_until > active_from))
      )`);
    await runner.query(`CREATE INDEX subprocessors_by_name ON subprocessors.subprocessors (tenant_id, name)`);
    await enableTenantRls(runner, 'subprocessors', 'subprocessors');

    await createOutboxTable(runner, 'subprocessors');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE subprocessors.outbox, subprocessors.subprocessors`);
  }
}
