export { startEvidenceService, EVIDENCE_SCHEMA } from './service';
export { buildEvidenceSchema } from './schema';
export { evidenceMigrations } from './migrations';
export { evidenceRules } from './permissions';
export { evidenceEnv, loadEvidenceConfig, type EvidenceConfig } from './config';
