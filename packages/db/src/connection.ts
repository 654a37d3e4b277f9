import { serviceRoles, type ConnectionRole } from './roles';

/**
 * Every connection starts as one of the service's roles through the startup option `role`,
 * which also survives `RESET ROLE`. A running service logs in as that role itself (the option
 * then changes nothing, and assertConfinedLogin proves there is nowhere further to go); tools
 * that log in as a privileged user (migrations as the owner, the operator CLI, test fixtures)
 * step down with it.
 */
export function connectionOptions(databaseUrl: string, schema: string, role: ConnectionRole) {
  return {
    connectionString: databaseUrl,
    options: `-c role=${serviceRoles(schema)[role]} -c search_path=${schema}`,
  };
}
