import type { QueryRunner } from 'typeorm';
import { assertSchemaName, serviceRoles } from './roles';

/**
 * The tenant a transaction is scoped to, or NULL when none is set (see withTenant). A scalar
 * sub-select, so that PostgreSQL evaluates it once per statement (an InitPlan) instead of once
 * for every row a policy checks.
 */
export const CURRENT_TENANT_SQL = `(SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)`;

/** How pg_policies prints the tenant of a policy created before CURRENT_TENANT_SQL was a sub-select… */
const PER_ROW_TENANT = `(NULLIF(current_setting('app.tenant_id'::text, true), ''::text))::uuid`;
/** …and how it prints CURRENT_TENANT_SQL. */
const ONCE_PER_STATEMENT_TENANT = `( SELECT ${PER_ROW_TENANT} AS "nullif")`;

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

/** The two forms of the tenant in a policy: evaluated for every row, or once per statement. */
export type TenantEvaluation = 'per row' | 'once per statement';

// The sub-select contains the per-row form: the parts already in it stay out of the replacement.
const oncePerStatement = (expression: string) =>
  expression.split(ONCE_PER_STATEMENT_TENANT).map((part) => part.replaceAll(PER_ROW_TENANT, ONCE_PER_STATEMENT_TENANT)).join(ONCE_PER_STATEMENT_TENANT);
const perRow = (expression: string) => expression.replaceAll(ONCE_PER_STATEMENT_TENANT, PER_ROW_TENANT);
const readsSettingPerRow = (expression: string) => expression.split(ONCE_PER_STATEMENT_TENANT).some((part) => part.includes('current_setting('));

/**
 * Rewrites every policy of the schema that reads the tenant into the given form, keeping the
 * rest of each expression as pg_policies prints it: tenant_isolation and the schema's other
 * policies alike. Rewriting to once per statement fails (and with it the migration) when a policy
 * would still read current_setting outside the sub-select, in a form this rewrite does not know,
 * rather than leave it evaluated per row unseen.
 */
export async function rewriteTenantPolicies(runner: QueryRunner, schema: string, to: TenantEvaluation): Promise<void> {
  const rewrite = to === 'once per statement' ? oncePerStatement : perRow;
  const policies: { table: string; policy: string; using: string | null; check: string | null }[] = await runner.query(
    `SELECT tablename AS table, policyname AS policy, qual AS using, with_check AS check FROM pg_policies WHERE schemaname = $1`,
    [assertSchemaName(schema)],
  );
  for (const { table, policy, using, check } of policies) {
    const rewritten = { using: using && rewrite(using), check: check && rewrite(check) };
    if (to === 'once per statement' && [rewritten.using, rewritten.check].some((expression) => expression && readsSettingPerRow(expression))) {
      throw new Error(`policy ${policy} on ${schema}.${table} reads current_setting outside a sub-select this rewrite knows: ${using ?? ''} ${check ?? ''}`);
    }
    if (rewritten.using === using && rewritten.check === check) continue;
    await runner.query(
      `ALTER POLICY ${identifier(policy)} ON ${schema}.${identifier(table)}` +
        (rewritten.using === null ? '' : ` USING (${rewritten.using})`) +
        (rewritten.check === null ? '' : ` WITH CHECK (${rewritten.check})`),
    );
  }
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
