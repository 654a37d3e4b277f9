import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createOutboxTable } from '@compliance-graph/outbox';

export class InitialAudit1764230400000 implements MigrationInterface {
  name = 'InitialAudit1764230400000';

  async up(runner: QueryRunner): Promise<void> {
    await createOutboxTable(runner, 'audit');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE audit.outbox`);
  }
}
