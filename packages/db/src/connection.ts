import { serviceRoles, type ConnectionRole } from './roles';

/**
 * The login user of DATABASE_URL is only a door: every connection starts as one of the
 * service's roles through the startup option `role`, which also survives `RESET ROLE`, so a
 * request connection cannot fall back to the login user's privileges.
 */
export function connectionOptions(databaseUrl: string, schema: string, role: ConnectionRole) {
  return {
    connectionString: databaseUrl,
    options: `-c role=${serviceRoles(schema)[role]} -c search_path=${schema}`,
  };
}
