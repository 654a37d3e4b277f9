import { admin, closeAdmin } from '@compliance-graph/testing';
import { migrateAll, SERVICES } from './stack';

/**
 * The data layer's second wall, read from the Postgres catalog after every migration. A new
 * tenant table without RLS, a role that gains BYPASSRLS or a new SECURITY DEFINER function
 * fails here and has to be reviewed as a permission change.
 */
const SCHEMAS = SERVICES.map((s) => s.schema);

/** The sanctioned SECURITY DEFINER lookups (DESIGN.md, "Requests and identity" 5). */
const ALLOWED_SECURITY_DEFINER_FUNCTIONS: string[] = [
  'identity.find_api_key', // the gateway's API key exchange: tenant of a key hash
  'identity.find_invitation', // acceptInvitation: tenant of a token hash, and whether its email has a user
  'identity.find_login', // login: tenant by slug, member by email, before the tenant is known
  'identity.find_refresh_token', // refresh and logout: tenant and session of a token hash
  'identity.find_tenant_for_support', // openSupportSession: a tenant by slug, and whether it allows support
  'identity.member_elsewhere', // resetMemberMfa: whether the member also belongs to another tenant (yes or no)
  'identity.origin_stands', // a switchTenant session: whether the session it derives from (another tenant's) still stands (yes or no)
];

const rolesOf = (kind: 'owner' | 'app' | 'worker' | 'lookup') => SCHEMAS.map((schema) => `${schema}_${kind}`);

describe('database catalog', () => {
  beforeAll(migrateAll);
  afterAll(closeAdmin);

  it('has row-level security enabled and forced on every table with a tenant_id', async () => {
    const { rows } = await admin().query<{ table: string; enabled: boolean; forced: boolean }>(
      `SELECT n.nspname || '.' || c.relname AS table, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p')
          AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
        ORDER BY 1`,
      [SCHEMAS],
    );
    expect(rows.map((r) => r.table)).toEqual(
      expect.arrayContaining(['evidence.evidence', 'identity.memberships', 'identity.outbox', 'subprocessors.subprocessors']),
    );
    expect(rows.filter((r) => !r.enabled || !r.forced)).toEqual([]);
  });

  it('has a tenant policy on every table with row-level security', async () => {
    const { rows } = await admin().query<{ table: string }>(
      `SELECT n.nspname || '.' || c.relname AS table
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ANY($1) AND c.relrowsecurity
          AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)`,
      [SCHEMAS],
    );
    expect(rows).toEqual([]);
  });

  it('lets the request and owner roles bypass nothing; only worker and lookup roles hold BYPASSRLS', async () => {
    const { rows } = await admin().query<{ rolname: string }>(
      `SELECT rolname FROM pg_roles WHERE rolbypassrls AND NOT rolsuper ORDER BY 1`,
    );
    const bypassing = rows.map((r) => r.rolname);
    expect(bypassing).toEqual(expect.arrayContaining([...rolesOf('worker'), ...rolesOf('lookup')]));
    // Other schemas' roles (test probes) follow the same naming; no other role may bypass RLS.
    expect(bypassing.filter((name) => !/_(worker|lookup)$/.test(name))).toEqual([]);
    const { rows: privileged } = await admin().query(
      `SELECT rolname FROM pg_roles WHERE rolname = ANY($1) AND (rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication)`,
      [[...rolesOf('app'), ...rolesOf('owner'), ...rolesOf('worker'), ...rolesOf('lookup')]],
    );
    expect(privileged).toEqual([]);
    // Only the app and worker roles log in (database-logins.int-spec.ts); the owner is reached by the migrating user.
    const { rows: logins } = await admin().query(`SELECT rolname FROM pg_roles WHERE rolname = ANY($1) AND rolcanlogin`, [
      [...rolesOf('owner'), ...rolesOf('lookup')],
    ]);
    expect(logins).toEqual([]);
  });

  it("makes every policy compare the row with the request's tenant (a policy that is there but lets everything through fails)", async () => {
    const { rows } = await admin().query<{ policy: string; using: string | null; check: string | null }>(
      `SELECT n.nspname || '.' || c.relname || ' ' || p.polname AS policy,
              pg_get_expr(p.polqual, p.polrelid) AS using, pg_get_expr(p.polwithcheck, p.polrelid) AS check
         FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ANY($1)`,
      [SCHEMAS],
    );
    expect(rows.length).toBeGreaterThan(10);
    const scoped = (expression: string | null) => expression === null || expression.includes("current_setting('app.tenant_id'");
    expect(rows.filter((r) => !scoped(r.using) || !scoped(r.check)).map((r) => r.policy)).toEqual([]);
  });

  it('reads the tenant once per statement in every policy: current_setting only inside a sub-select (an InitPlan), never per row', async () => {
    const { rows } = await admin().query<{ policy: string; using: string | null; check: string | null }>(
      `SELECT schemaname || '.' || tablename || ' ' || policyname AS policy, qual AS using, with_check AS check
         FROM pg_policies WHERE schemaname = ANY($1)`,
      [SCHEMAS],
    );
    expect(rows.length).toBeGreaterThan(10);
    // As PostgreSQL prints `(SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)`.
    const perRow = /(?<!\( SELECT \(NULLIF\()current_setting\(/;
    expect(rows.filter((r) => perRow.test(r.using ?? '') || perRow.test(r.check ?? '')).map((r) => r.policy)).toEqual([]);
  });

  it('indexes every table with a tenant_id under row-level security by tenant_id first', async () => {
    const { rows } = await admin().query<{ table: string }>(
      `SELECT c.oid::regclass::text AS table
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_attribute t ON t.attrelid = c.oid AND t.attname = 'tenant_id' AND NOT t.attisdropped
        WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p') AND c.relrowsecurity
          AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indkey[0] = t.attnum)
        ORDER BY 1`,
      [SCHEMAS],
    );
    expect(rows.map((r) => r.table)).toEqual([]);
  });

  it('gives the request and worker roles ownership of nothing', async () => {
    const { rows } = await admin().query(
      `SELECT 'relation' AS kind, c.relname AS name FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = ANY($1)
       UNION ALL SELECT 'schema', n.nspname FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner WHERE r.rolname = ANY($1)
       UNION ALL SELECT 'function', p.proname FROM pg_proc p JOIN pg_roles r ON r.oid = p.proowner WHERE r.rolname = ANY($1)`,
      [[...rolesOf('app'), ...rolesOf('worker')]],
    );
    expect(rows).toEqual([]);
  });

  it.each([
    ['identity_app', 'identity.memberships'],
    ['evidence_app', 'evidence.evidence'],
    ['audit_app', 'audit.events'],
    ['subprocessors_app', 'subprocessors.subprocessors'],
  ])('refuses row_security = off to %s instead of silently filtering', async (role, table) => {
    const client = await admin().connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL ROLE ${role}`);
      await client.query('SET LOCAL row_security = off');
      await expect(client.query(`SELECT count(*) FROM ${table}`)).rejects.toThrow(/row-level security/);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('gives every SECURITY DEFINER function a fixed search_path that starts with pg_catalog', async () => {
    const { rows } = await admin().query<{ fn: string; config: string[] | null }>(
      `SELECT n.nspname || '.' || p.proname AS fn, p.proconfig AS config FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE p.prosecdef AND n.nspname = ANY($1)`,
      [SCHEMAS],
    );
    expect(rows.length).toBe(ALLOWED_SECURITY_DEFINER_FUNCTIONS.length);
    expect(rows.filter((r) => !(r.config ?? []).some((setting) => setting.startsWith('search_path=pg_catalog'))).map((r) => r.fn)).toEqual([]);
  });

  it('lists every SECURITY DEFINER function, each on the allow-list', async () => {
    const { rows } = await admin().query<{ fn: string }>(
      `SELECT n.nspname || '.' || p.proname AS fn FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE p.prosecdef AND n.nspname = ANY($1) ORDER BY 1`,
      [SCHEMAS],
    );
    expect(rows.map((r) => r.fn)).toEqual(ALLOWED_SECURITY_DEFINER_FUNCTIONS);
  });
});
