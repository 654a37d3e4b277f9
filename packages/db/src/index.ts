export { serviceRoles, assertSchemaName, type ServiceRoles, type ConnectionRole } from './roles';
export { connectionOptions } from './connection';
export { bootstrapServiceSchema } from './bootstrap';
export { createDataSource, type DataSourceOptions } from './data-source';
export { withTenant, isUuid } from './with-tenant';
export { tenantEntityLoader } from './entity-loader';
export { enableTenantRls, createLookupFunction, CURRENT_TENANT_SQL, type LookupFunction } from './rls';
export { migrateServiceSchema, type ServiceSchema } from './migrate';
export { startEmbeddedPostgres, type EmbeddedPostgresOptions, type RunningPostgres } from './embedded';
