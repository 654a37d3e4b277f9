import type { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantRls } from '@compliance-graph/db';

export class Webhooks1765440000000 implements MigrationInterface {
  name = 'Webhooks1765440000000';

  async up(runner: QueryRunner): Promise<void> {
    // A subscription belongs to the principal that made it (a member or an API key of
    // identity, so no foreign key). Deleting one keeps the row and its delivery log (the notice
    // a tenant shows refers to them) and drops the sealed secret.
    await runner.query(`
      CREATE TABLE subprocessors.webhook_subscriptions (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        owner_kind text NOT NULL CHECK (owner_kind IN ('USER', 'API_KEY')),
        owner_id uuid NOT NULL,
        url text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2048),
        event_types text[] NOT NULL CHECK (cardinality(event_types) > 0),
        secret_sealed text,
        created_at timestamptz(3) NOT NULL,
        deleted_at timestamptz(3),
        CHECK ((deleted_at IS NULL) = (secret_sealed IS NOT NULL)),
        UNIQUE (tenant_id, id)
      )`);
    await runner.query(
      `CREATE INDEX webhook_subscriptions_live ON subprocessors.webhook_subscriptions (tenant_id, owner_kind, owner_id) WHERE deleted_at IS NULL`,
    );
    await enableTenantRls(runner, 'subprocessors', 'webhook_subscriptions');

    // One row per register event fanned out, so a redelivered event creates no second deliveries.
    await runner.query(`
      CREATE TABLE subprocessors.webhook_fanouts (
        event_id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        deliveries integer NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await enableTenantRls(runner, 'subprocessors', 'webhook_fanouts');

    // The delivery log: one row per attempt, a skip or a give-up.
    await runner.query(`
      CREATE TABLE subprocessors.webhook_deliveries (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        subscription_id uuid NOT NULL,
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        attempt integer NOT NULL CHECK (attempt >= 1),
        attempted_at timestamptz(3) NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('DELIVERED', 'FAILED', 'GAVE_UP', 'SKIPPED')),
        http_status integer CHECK (http_status BETWEEN 100 AND 599),
        error text CHECK (length(error) <= 40),
        duration_ms integer NOT NULL CHECK (duration_ms >= 0),
        FOREIGN KEY (tenant_id, subscription_id) REFERENCES subprocessors.webhook_subscriptions (tenant_id, id)
      )`);
    await runner.query(
      `CREATE INDEX webhook_deliveries_by_subscription ON subprocessors.webhook_deliveries (subscription_id, attempted_at DESC, id DESC)`,
    );
    await runner.query(`CREATE INDEX webhook_deliveries_by_event ON subprocessors.webhook_deliveries (event_id)`);
    await enableTenantRls(runner, 'subprocessors', 'webhook_deliveries');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE subprocessors.webhook_deliveries, subprocessors.webhook_fanouts, subprocessors.webhook_subscriptions`);
  }
}
