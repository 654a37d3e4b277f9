export { serviceRoles, assertSchemaName, type ServiceRoles, type ConnectionRole } from './roles';
export { connectionOptions } from './connection';
export {
  loginPasswords,
  serviceLoginUrls,
  assertConfinedLogin,
  type LoginRole,
  type LoginPasswords,
} from './logins';
export { bootstrapServiceSchema } from './bootstrap';
export { createDataSource, openServicePool, type DataSourceOptions } from './data-source';
export { withTenant, isUuid } from './with-tenant';
export { anyOf } from './find-operators';
export { tenantEntityLoader, tenantChildrenLoader } from './entity-loader';
export { bigintAsNumber } from './column-transformers';
export { enableTenantRls, createLookupFunction, rewriteTenantPolicies, CURRENT_TENANT_SQL, type LookupFunction, type TenantEvaluation } from './rls';
export { oncePerStatementTenantMigration } from './once-per-statement-migration';
export { migrateServiceSchema, type ServiceSchema, type RecordMigrations } from './migrate';
export { startEmbeddedPostgres, type EmbeddedPostgresOptions, type RunningPostgres } from './embedded';
