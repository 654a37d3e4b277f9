export { verifyAuditExport, type CheckpointFile, type Verdict } from './audit-export';
