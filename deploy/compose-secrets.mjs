// Writes deploy/secrets/<service>.env for `docker compose`: each service's own secrets only, as
// the launcher hands them to its processes (tools/start), so compose and `npm start` share the
// keys under .data/keys (created there when missing). Run from the repository root after a build.
import { createHmac } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { URL } from 'node:url';
import db from '@compliance-graph/db';
import start from '@compliance-graph/start';

// Both are CommonJS builds (swc), whose exports ESM sees only as one default object.
const { serviceLoginUrls, loginPasswords } = db;
const { createLauncherLog, gateway, loadStartConfig, resolveDeploymentSecrets, subgraphs } = start;

const DATABASE = 'compliance_graph';
// COMPOSE_SECRETS_DIR: elsewhere (the test writes them to a temporary directory).
const dir = process.env.COMPOSE_SECRETS_DIR ?? join(import.meta.dirname, 'secrets');
const config = loadStartConfig();
const secrets = await resolveDeploymentSecrets(config, createLauncherLog('info'));
// The superuser's password follows from the role secret too, so a kept database volume keeps working.
const postgresPassword = createHmac('sha256', secrets.DATABASE_ROLE_SECRET).update('postgres').digest('base64url');
const server = `postgres://postgres:${postgresPassword}@postgres:5432/${DATABASE}`;
// The subgraphs log in through PgBouncer (transaction pooling); only the migrations reach the server itself.
const pgbouncer = `postgres://pgbouncer:6432/${DATABASE}`;

const files = {
  postgres: { POSTGRES_PASSWORD: postgresPassword, POSTGRES_DB: DATABASE },
  migrate: { DATABASE_URL: server, DATABASE_ROLE_SECRET: secrets.DATABASE_ROLE_SECRET },
  [gateway(config).name]: gateway(config).secrets(secrets),
};
// PgBouncer's users: every service login, with the password PostgreSQL checks by SCRAM.
const pgbouncerUsers = [];
for (const subgraph of subgraphs(config)) {
  const { schema } = subgraph.database;
  const logins = serviceLoginUrls(pgbouncer, schema, loginPasswords(secrets.DATABASE_ROLE_SECRET, schema));
  files[subgraph.name] = { ...subgraph.secrets(secrets), DATABASE_URL: logins.app, DATABASE_WORKER_URL: logins.worker };
  for (const url of Object.values(logins).map((login) => new URL(login))) {
    pgbouncerUsers.push(`"${decodeURIComponent(url.username)}" "${decodeURIComponent(url.password)}"\n`);
  }
}

mkdirSync(dir, { recursive: true, mode: 0o700 });
for (const [name, env] of Object.entries(files)) {
  const text = Object.entries(env).map(([key, value]) => `${key}=${value}\n`).join('');
  writeFileSync(join(dir, `${name}.env`), text, { mode: 0o600 });
}
writeFileSync(join(dir, 'pgbouncer-userlist.txt'), pgbouncerUsers.join(''), { mode: 0o600 });
process.stdout.write(`wrote ${[...Object.keys(files).map((name) => `${name}.env`), 'pgbouncer-userlist.txt'].join(', ')} under ${dir}\n`);
