import { Client } from 'pg';

/**
 * The admin console of the transaction-pooling PgBouncer the service logins go through
 * (tools/pgbouncer/with-pgbouncer.sh sets TEST_PGBOUNCER_URL), or undefined when they reach the
 * server directly.
 */
export function testPgbouncerUrl(): string | undefined {
  return process.env.TEST_PGBOUNCER_URL || undefined;
}

/** Runs one admin console command (`SHOW SERVERS`, `RECONNECT`) on the test run's PgBouncer, answering its rows. */
export async function pgbouncerConsole<Row extends Record<string, unknown>>(command: string): Promise<Row[]> {
  const url = testPgbouncerUrl();
  if (!url) throw new Error('no PgBouncer: run the tests through tools/pgbouncer/with-pgbouncer.sh');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    // The console speaks the simple query protocol only, which a parameterless query uses.
    return (await client.query<Row>(command)).rows;
  } finally {
    await client.end();
  }
}

/**
 * A role's settings (its search_path) apply when a server connection logs in, and PgBouncer's
 * server connections outlive a change: after one, a deployment has PgBouncer RECONNECT (or waits
 * out server_lifetime), and so does a test that changes a login role. Without PgBouncer every
 * service connection logs in afresh, so there is nothing to do.
 */
export async function reconnectPgbouncerServers(): Promise<void> {
  if (testPgbouncerUrl()) await pgbouncerConsole('RECONNECT');
}
