export { startIdentityService, IDENTITY_SCHEMA } from './service';
export { hashPassword, verifyPassword } from './user/password';
export { buildIdentitySchema } from './schema';
export { identityMigrations } from './migrations';
export { identityRules } from './permissions';
export { identityEnv, loadIdentityConfig, type IdentityConfig } from './config';
export { JWKS_PATH } from './jwks/jwks.route';
export { identityOperatorCommands } from './cli/operator';
