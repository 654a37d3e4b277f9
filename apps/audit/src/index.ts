export { startAuditService, AUDIT_SCHEMA } from './service';
export { buildAuditSchema } from './schema';
export { auditMigrations } from './migrations';
export { auditRules } from './permissions';
export { auditEnv, loadAuditConfig, type AuditConfig } from './config';
export { EXPORT_PATH, TREE_SIZE_HEADER } from './export/export.route';
export { auditOperatorCommands } from './cli/platform-log';
