export { verifyAuditExport, type CheckpointFile, type Verdict } from './audit-export';
export { verifyProofpack } from './proofpack';
export { VerificationFailure } from './failure';
export { TRUSTED_KEYS_QUERY, trustedKeysFromFile, trustedKeysFromGraph, type TrustedKeys } from './trusted-keys';
