import type { MigrationInterface, QueryRunner } from 'typeorm';
import { rewriteTenantPolicies } from './rls';
import { assertSchemaName } from './roles';

/**
 * The migration that makes a schema's statements pay for the tenant once: its policies read the
 * tenant once per statement (rewriteTenantPolicies), and each tenant table named in
 * `tenantIndexes` gets an index led by tenant_id, followed by the columns given (the table's
 * usual access path), so a policy's `tenant_id = …` is an index condition, not a filter over
 * every row. One class per service, each named with the same timestamp in its own migrations table.
 */
export function oncePerStatementTenantMigration(schema: string, tenantIndexes: Record<string, string>): new () => MigrationInterface {
  assertSchemaName(schema);
  const indexes = Object.entries(tenantIndexes).map(([table, columns]) => ({
    name: `${table}_tenant`,
    create: `CREATE INDEX ${table}_tenant ON ${schema}.${table} (tenant_id, ${columns})`,
  }));
  return class TenantOncePerStatement1765958400000 implements MigrationInterface {
    name = 'TenantOncePerStatement1765958400000';

    async up(runner: QueryRunner): Promise<void> {
      await rewriteTenantPolicies(runner, schema, 'once per statement');
      for (const index of indexes) await runner.query(index.create);
    }

    async down(runner: QueryRunner): Promise<void> {
      for (const index of indexes) await runner.query(`DROP INDEX ${schema}.${index.name}`);
      await rewriteTenantPolicies(runner, schema, 'per row');
    }
  };
}
