/**
 * Every service schema has four database roles:
 * - owner:  owns the schema and its tables, runs migrations; subject to FORCE RLS like anyone.
 * - app:    serves requests; owns nothing, no BYPASSRLS, sees one tenant at a time.
 * - worker: background jobs (outbox relay, schedulers); BYPASSRLS, never used for a request.
 * - lookup: NOLOGIN, BYPASSRLS; owns the few SECURITY DEFINER functions that must find a row
 *           before the tenant is known (login by slug and email, token lookups by hash).
 */
export interface ServiceRoles {
  owner: string;
  app: string;
  worker: string;
  lookup: string;
}

export type ConnectionRole = 'owner' | 'app' | 'worker';

const SCHEMA_NAME = /^[a-z][a-z0-9_]{0,40}$/;

export function assertSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name "${schema}"`);
  return schema;
}

export function serviceRoles(schema: string): ServiceRoles {
  assertSchemaName(schema);
  return { owner: `${schema}_owner`, app: `${schema}_app`, worker: `${schema}_worker`, lookup: `${schema}_lookup` };
}
