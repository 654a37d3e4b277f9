import { Client } from 'pg';
import { assertSchemaName, serviceRoles } from './roles';

/**
 * Creates the service's roles and schema, idempotently. Runs with the login user of
 * DATABASE_URL, which needs CREATEROLE (a superuser in development and CI); a production
 * deployment runs it once with a privileged user and grants the four roles to the
 * service's login user.
 */
export async function bootstrapServiceSchema(databaseUrl: string, schema: string): Promise<void> {
  assertSchemaName(schema);
  const roles = serviceRoles(schema);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // Role creation is cluster-wide and races between parallel bootstraps; serialise them.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', ['compliance-graph-bootstrap']);
    const ensureRole = async (name: string, attributes: string) => {
      const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
      if (exists.rowCount === 0) await client.query(`CREATE ROLE ${name} ${attributes}`);
      else await client.query(`ALTER ROLE ${name} ${attributes}`);
    };
    await ensureRole(roles.owner, 'NOLOGIN NOBYPASSRLS NOSUPERUSER NOCREATEROLE NOCREATEDB');
    await ensureRole(roles.app, 'NOLOGIN NOBYPASSRLS NOSUPERUSER NOCREATEROLE NOCREATEDB');
    await ensureRole(roles.worker, 'NOLOGIN BYPASSRLS NOSUPERUSER NOCREATEROLE NOCREATEDB');
    await ensureRole(roles.lookup, 'NOLOGIN BYPASSRLS NOSUPERUSER NOCREATEROLE NOCREATEDB');
    const { rows } = await client.query<{ user: string }>('SELECT current_user AS "user"');
    const login = rows[0].user;
    for (const role of [roles.owner, roles.app, roles.worker]) await client.query(`GRANT ${role} TO "${login}"`);
    // The owner hands its lookup functions to the lookup role, which needs membership.
    await client.query(`GRANT ${roles.lookup} TO ${roles.owner}`);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${roles.owner}`);
    await client.query(`GRANT USAGE ON SCHEMA ${schema} TO ${roles.app}, ${roles.worker}, ${roles.lookup}`);
    await client.query(
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${roles.owner} IN SCHEMA ${schema}
         GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${roles.app}, ${roles.worker}`,
    );
    await client.query(
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${roles.owner} IN SCHEMA ${schema} GRANT SELECT ON TABLES TO ${roles.lookup}`,
    );
    await client.query(
      `ALTER DEFAULT PRIVILEGES FOR ROLE ${roles.owner} IN SCHEMA ${schema}
         GRANT USAGE, SELECT ON SEQUENCES TO ${roles.app}, ${roles.worker}`,
    );
    // Functions are not executable by PUBLIC unless a migration grants them explicitly.
    await client.query(`ALTER DEFAULT PRIVILEGES FOR ROLE ${roles.owner} REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC`);
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', ['compliance-graph-bootstrap']).catch(() => undefined);
    await client.end();
  }
}
