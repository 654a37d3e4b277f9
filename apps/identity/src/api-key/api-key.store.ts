import type { DataSource } from 'typeorm';

/** Finds a key by its hash before the tenant is known (a lookup across tenants, in a database function). */
export async function findApiKeyByHash(db: DataSource, keyHash: Buffer): Promise<{ tenantId: string; apiKeyId: string } | undefined> {
  const [found]: Array<{ tenantId: string; apiKeyId: string }> = await db.query(
    `SELECT tenant_id AS "tenantId", api_key_id AS "apiKeyId" FROM find_api_key($1)`,
    [keyHash],
  );
  return found;
}
