import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The id of a change's announcement event (the register event, its webhook deliveries' event id
 * and the audit event's `eventId`), so the proof of notice finds the deliveries that followed the
 * announcement without reading the outbox. Changes announced before are filled from the outbox,
 * which keeps every register event it relayed.
 */
export class ChangeAnnouncementEvent1765785600000 implements MigrationInterface {
  name = 'ChangeAnnouncementEvent1765785600000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE subprocessors.changes ADD COLUMN announcement_event_id uuid UNIQUE`);
    await runner.query(`
      UPDATE subprocessors.changes c SET announcement_event_id = o.id
        FROM subprocessors.outbox o
       WHERE o.topic = 'subprocessor_event' AND o.tenant_id = c.tenant_id
         AND o.payload->>'type' = 'subprocessor.change_announced' AND o.payload->'change'->>'id' = c.id::text`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE subprocessors.changes DROP COLUMN announcement_event_id`);
  }
}
