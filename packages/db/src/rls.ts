import type { QueryRunner } from 'typeorm';
import { assertSchemaName, serviceRoles } from './roles';

/** The tenant a transaction is scoped to, or NULL when none is set (see withTenant). */
export const CURRENT_TENANT_SQL = `NULLIF(current_setting('app.tenant_id', true), '')::uuid`;

const identifier = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid identifier "${name}"`);
  return name;
};

/**
 * Turns on row-level security for a tenant table: ENABLE + FORCE (so the owner is bound too)
 * and one policy for reads and writes on the tenant column. `column` is `tenant_id` for
 * tenant-owned rows, `id` for the tenants table itself.
 */
export async function enableTenantRls(
  runner: QueryRunner,
  schema: string,
  table: string,
  column = 'tenant_id',
): Promise<void> {
  const qualified = `${assertSchemaName(schema)}.${identifier(table)}`;
  await runner.query(`ALTER TABLE ${qualified} ENABLE ROW LEVEL SECURITY`);
  await runner.query(`ALTER TABLE ${qualified} FORCE ROW LEVEL SECURITY`);
  await runner.query(
    `CREATE POLICY tenant_isolation ON ${qualified}
       USING (${identifier(column)} = ${CURRENT_TENANT_SQL})
       WITH CHECK (${identifier(column)} = ${CURRENT_TENANT_SQL})`,
  );
}

export interface LookupFunction {
  schema: string;
  /** e.g. `find_login(p_slug text, p_email text)` */
  signature: string;
  /** e.g. `TABLE (user_id uuid, tenant_id uuid, password_hash text)` */
  returns: string;
  /** A single SQL statement that returns only what the lookup needs. */
  body: string;
}

/**
 * One of the narrow SECURITY DEFINER lookups DESIGN.md allows: owned by the NOLOGIN lookup
 * role (the only way past FORCE RLS before the tenant is known), a fixed search_path so the
 * caller cannot shadow tables, and executable by the service's app role only.
 */
export async function createLookupFunction(runner: QueryRunner, fn: LookupFunction): Promise<void> {
  const roles = serviceRoles(fn.schema);
  const qualified = `${fn.schema}.${fn.signature}`;
  await runner.query(
    `CREATE OR REPLACE FUNCTION ${qualified} RETURNS ${fn.returns}
       LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, ${fn.schema}
       AS $lookup$ ${fn.body} $lookup$`,
  );
  // A new owner needs CREATE on the schema; the lookup role holds it only for this moment.
  await runner.query(`GRANT CREATE ON SCHEMA ${fn.schema} TO ${roles.lookup}`);
  await runner.query(`ALTER FUNCTION ${qualified} OWNER TO ${roles.lookup}`);
  await runner.query(`REVOKE CREATE ON SCHEMA ${fn.schema} FROM ${roles.lookup}`);
  await runner.query(`REVOKE ALL ON FUNCTION ${qualified} FROM PUBLIC`);
  await runner.query(`GRANT EXECUTE ON FUNCTION ${qualified} TO ${roles.app}`);
}
