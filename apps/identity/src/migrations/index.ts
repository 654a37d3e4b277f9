import { InitialIdentity1764230400000 } from './1764230400000-initial-identity';

export const identityMigrations = [InitialIdentity1764230400000];
