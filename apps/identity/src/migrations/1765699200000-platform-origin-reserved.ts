import type { MigrationInterface, QueryRunner } from 'typeorm';
import { PLATFORM_TENANT_ID } from '@compliance-graph/auth';

/**
 * The platform audit log's origin is a tenant id no tenant may ever have: sign-up draws random
 * ids, and this constraint refuses the reserved one whatever path writes a tenant.
 */
export class PlatformOriginReserved1765699200000 implements MigrationInterface {
  name = 'PlatformOriginReserved1765699200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE identity.tenants ADD CONSTRAINT tenants_not_platform_origin CHECK (id <> '${PLATFORM_TENANT_ID}'::uuid)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE identity.tenants DROP CONSTRAINT tenants_not_platform_origin`);
  }
}
