import { createHmac } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { serviceRoles, type ServiceRoles } from './roles';

/** The two roles a running service logs in as: `app` for its request pool, `worker` for background jobs. */
export type LoginRole = 'app' | 'worker';

export type LoginPasswords = Record<LoginRole, string>;

/**
 * A service's login passwords, derived from one deployment secret by HMAC-SHA256 over the role
 * name: the launcher keeps one secret however many services there are, a new service gets
 * passwords without a new secret, and each process is handed only its own two passwords.
 */
export function loginPasswords(secret: string, schema: string): LoginPasswords {
  const roles = serviceRoles(schema);
  const derive = (role: string) => createHmac('sha256', secret).update(role).digest('base64url');
  return { app: derive(roles.app), worker: derive(roles.worker) };
}

/** The URL of the server at `serverUrl` (its host, port, database and options), logging in as `role`. */
function loginUrl(serverUrl: string, role: string, password: string): string {
  const url = new URL(serverUrl);
  url.username = encodeURIComponent(role);
  url.password = encodeURIComponent(password);
  return url.toString();
}

/** Both login URLs of a service whose roles have `passwords`. */
export function serviceLoginUrls(serverUrl: string, schema: string, passwords: LoginPasswords): Record<LoginRole, string> {
  const roles: ServiceRoles = serviceRoles(schema);
  return { app: loginUrl(serverUrl, roles.app, passwords.app), worker: loginUrl(serverUrl, roles.worker, passwords.worker) };
}

interface LoginFacts {
  session_user: string;
  superuser: boolean;
  memberships: string[];
  search_path: string;
}

/**
 * Refuses a pool whose login could become another role. A request or worker connection logs
 * in as its own role, which is a member of nothing and no superuser, so that neither
 * `SET ROLE` nor `SET SESSION AUTHORIZATION` (one injected statement) can reach the owner, the
 * worker's BYPASSRLS or another service's data. A deployment that hands a service a
 * privileged URL fails at start, not at the first breach. Its search_path must be its schema
 * alone (set on the role by the bootstrap), since services name their tables unqualified.
 */
export async function assertConfinedLogin(dataSource: DataSource, schema: string, role: LoginRole, variable: string): Promise<void> {
  const expected = serviceRoles(schema)[role];
  const [facts]: LoginFacts[] = await dataSource.query(
    `SELECT session_user::text AS session_user, r.rolsuper AS superuser, current_setting('search_path') AS search_path,
            ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid ORDER BY 1) AS memberships
       FROM pg_roles r WHERE r.rolname = session_user`,
  );
  const problem =
    facts.session_user !== expected
      ? `logs in as "${facts.session_user}"`
      : facts.superuser
        ? 'is a superuser'
        : facts.memberships.length > 0
          ? `is a member of ${facts.memberships.join(', ')}`
          : facts.search_path !== schema
            ? `has search_path "${facts.search_path}" instead of its schema`
            : undefined;
  if (problem) {
    throw new Error(`${variable} ${problem}; it must log in as ${expected}, a role that can become no other (run the migrations to create it)`);
  }
}
