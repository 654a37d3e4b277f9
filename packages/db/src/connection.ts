import { serviceRoles, type ConnectionRole } from './roles';

/**
 * How a pool connects as one of the service's roles. A running service logs in as that role
 * itself and needs no startup options: its search_path is set on the role (bootstrap), so it
 * runs unchanged behind a transaction-pooling PgBouncer, which passes no options. Tools that
 * log in as a privileged user (migrations as the owner, the operator CLI, test fixtures)
 * connect to the server directly and step down with the startup options `role` (which also
 * survives `RESET ROLE`) and `search_path`.
 */
export function connectionOptions(databaseUrl: string, schema: string, role: ConnectionRole) {
  const roleName = serviceRoles(schema)[role];
  const logsInAsTheRole = decodeURIComponent(new URL(databaseUrl).username) === roleName;
  return {
    connectionString: databaseUrl,
    options: logsInAsTheRole ? undefined : `-c role=${roleName} -c search_path=${schema}`,
  };
}
