import { InitialAudit1764230400000 } from './1764230400000-initial-audit';

export const auditMigrations = [InitialAudit1764230400000];
