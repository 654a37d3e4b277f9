import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { openServicePool, withTenant } from '@compliance-graph/db';
import { addMember, admin, closeAdmin, createTenant, migrateForTests, testLoginUrls, type TestTenant } from '@compliance-graph/testing';
import { IDENTITY_SCHEMA, identityMigrations } from '../src';

/**
 * Users are global rows that a tenant-scoped request may touch: raw SQL as identity's request
 * role, shield bypassed, must neither make anyone a platform operator nor reach a former
 * member's account.
 */
describe("identity's request role on users and recovery codes", () => {
  let app: DataSource;
  let tenant: TestTenant;

  beforeAll(async () => {
    await migrateForTests({ schema: IDENTITY_SCHEMA, migrations: identityMigrations });
    app = await openServicePool({ databaseUrl: testLoginUrls(IDENTITY_SCHEMA).app, variable: 'DATABASE_URL', schema: IDENTITY_SCHEMA, role: 'app', poolSize: 1 });
    tenant = await createTenant('User rows');
  });
  afterAll(async () => {
    await app.destroy();
    await closeAdmin();
  });

  const asTenant = <T>(work: (sql: (text: string, params?: unknown[]) => Promise<T>) => Promise<T>) =>
    withTenant(app, tenant.tenantId, (tx) => work((text, params) => tx.query(text, params)));
  const operatorFlag = async (userId: string) =>
    (await admin().query<{ is_operator: boolean }>('SELECT is_operator FROM identity.users WHERE id = $1', [userId])).rows[0].is_operator;

  it('cannot make a member a platform operator, by UPDATE or by INSERT', async () => {
    const member = await addMember(tenant.tenantId, 'MEMBER');
    await expect(asTenant((sql) => sql('UPDATE identity.users SET is_operator = true WHERE id = $1', [member.userId]))).rejects.toThrow(
      /permission denied for table users/,
    );
    expect(await operatorFlag(member.userId)).toBe(false);
    const smuggled = randomUUID();
    await expect(
      asTenant((sql) =>
        sql(`INSERT INTO identity.users (id, email, display_name, is_operator) VALUES ($1, $2, 'x', true)`, [smuggled, `${smuggled}@example.test`]),
      ),
    ).rejects.toThrow(/permission denied for table users/);
    expect((await admin().query('SELECT 1 FROM identity.users WHERE id = $1', [smuggled])).rowCount).toBe(0);
  });

  it('cannot change the columns no request path writes, nor delete a user', async () => {
    const member = await addMember(tenant.tenantId, 'MEMBER');
    for (const statement of [
      `UPDATE identity.users SET email = 'taken@example.test' WHERE id = $1`,
      `UPDATE identity.users SET created_at = now() - interval '1 year' WHERE id = $1`,
      `DELETE FROM identity.users WHERE id = $1`,
    ]) {
      await expect(asTenant((sql) => sql(statement, [member.userId]))).rejects.toThrow(/permission denied for table users/);
    }
    expect((await admin().query('SELECT email FROM identity.users WHERE id = $1', [member.userId])).rows).toEqual([{ email: member.email }]);
  });

  it("still writes what sign-in, passwords and MFA write for an active member", async () => {
    const member = await addMember(tenant.tenantId, 'MEMBER');
    const updated = await asTenant((sql) =>
      sql(`UPDATE identity.users SET last_login_at = now(), password_hash = 'h', mfa_enabled = false WHERE id = $1 RETURNING id`, [member.userId]),
    );
    expect(updated).toEqual([[{ id: member.userId }], 1]);
  });

  it("sees a former member but cannot change their account or reach their recovery codes", async () => {
    const former = await addMember(tenant.tenantId, 'MEMBER');
    await admin().query(`INSERT INTO identity.recovery_codes (id, user_id, code_hash) VALUES (gen_random_uuid(), $1, 'kept')`, [former.userId]);
    const codesSeen = () => asTenant((sql) => sql('SELECT code_hash FROM identity.recovery_codes WHERE user_id = $1', [former.userId]));
    expect(await codesSeen()).toEqual([{ code_hash: 'kept' }]);

    await admin().query(`UPDATE identity.memberships SET revoked_at = now(), revoked_reason = 'left' WHERE id = $1`, [former.membershipId]);
    expect(await asTenant((sql) => sql('SELECT display_name FROM identity.users WHERE id = $1', [former.userId]))).toEqual([
      { display_name: former.displayName },
    ]);
    const changed = await asTenant((sql) => sql(`UPDATE identity.users SET password_hash = 'taken over' WHERE id = $1 RETURNING id`, [former.userId]));
    expect(changed).toEqual([[], 0]);
    expect(await codesSeen()).toEqual([]);
    expect(await asTenant((sql) => sql('DELETE FROM identity.recovery_codes WHERE user_id = $1 RETURNING code_hash', [former.userId]))).toEqual([[], 0]);
    const { rows } = await admin().query('SELECT u.password_hash, count(c.*)::int AS codes FROM identity.users u LEFT JOIN identity.recovery_codes c ON c.user_id = u.id WHERE u.id = $1 GROUP BY 1', [former.userId]);
    expect(rows).toEqual([{ password_hash: null, codes: 1 }]);
  });
});
