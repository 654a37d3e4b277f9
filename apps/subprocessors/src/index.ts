export { startSubprocessorsService, SUBPROCESSORS_SCHEMA } from './service';
export { buildSubprocessorsSchema } from './schema';
export { subprocessorsMigrations } from './migrations';
export { subprocessorsRules } from './permissions';
export { subprocessorsEnv, loadSubprocessorsConfig, type SubprocessorsConfig } from './config';
export { IdentityDirectory, type TenantSettings, type DirectoryPrincipal } from './identity-directory/identity-directory';
export { RegisterService, type PublicRegister } from './register/register.service';
export type { Clock } from './clock';
