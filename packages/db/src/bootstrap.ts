import { Client } from 'pg';
import type { LoginPasswords } from './logins';
import { assertSchemaName, serviceRoles } from './roles';

/**
 * Creates the service's roles and schema, idempotently, and converges roles made by earlier
 * versions. Runs with the login user of DATABASE_URL, which needs CREATEROLE (a superuser in
 * development and CI) and becomes a member of the owner, app and worker roles; the service
 * itself never uses that login. The app and worker roles log in themselves and are members of
 * nothing (see assertConfinedLogin); `passwords` sets theirs, and without it the passwords are
 * left as they are (a deployment that manages them elsewhere).
 */
export async function bootstrapServiceSchema(databaseUrl: string, schema: string, passwords?: LoginPasswords): Promise<void> {
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
    const password = (role: 'app' | 'worker') => (passwords ? ` PASSWORD ${client.escapeLiteral(passwords[role])}` : '');
    await ensureRole(roles.app, `LOGIN NOBYPASSRLS NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION${password('app')}`);
    await ensureRole(roles.worker, `LOGIN BYPASSRLS NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION${password('worker')}`);
    await ensureRole(roles.lookup, 'NOLOGIN BYPASSRLS NOSUPERUSER NOCREATEROLE NOCREATEDB');
    const { rows } = await client.query<{ user: string }>('SELECT current_user AS "user"');
    const login = rows[0].user;
    for (const role of [roles.owner, roles.app, roles.worker]) await client.query(`GRANT ${role} TO "${login}"`);
    // A membership the app or worker role holds (granted by hand, or by an older bootstrap) is a way out.
    for (const role of [roles.app, roles.worker]) {
      const held = await client.query<{ name: string }>(
        `SELECT g.rolname AS name FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member
          WHERE r.rolname = $1`,
        [role],
      );
      for (const { name } of held.rows) await client.query(`REVOKE "${name}" FROM ${role}`);
    }
    // On the role, not on each connection: a transaction-pooling PgBouncer passes no startup
    // options, and the role's own settings apply to every session it logs in with.
    for (const role of [roles.app, roles.worker]) await client.query(`ALTER ROLE ${role} SET search_path = ${schema}`);
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
