// The app packages declare decorated classes, which need this first.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { generateSigningKey } from '@compliance-graph/auth';
import { loginPasswords, serviceLoginUrls } from '@compliance-graph/db';
import { migrateAll, startStack, type Stack } from '@compliance-graph/stack';
import { loginBodies, signUpAccounts, storedPasswordHash } from './accounts';
import { measureArgon2 } from './argon2';
import { parseArgs, USAGE, type LoginBenchOptions } from './args';
import { describeMachineBefore, indent, runBench, say, step } from './bench-run';
import { serverVersion, startBenchDatabase, type BenchDatabase } from './database';
import { graphqlHttpClient, type GraphqlHttpClient } from './http-client';
import { errorCount, runLoginPhase } from './load';
import { cpuMeter, loadAverage } from './machine';
import { argon2Table, breakdown, loginTable, readmeBlock, type LoginBenchReport, type MeasuredPhase } from './report';

/**
 * npm run bench:login: logins/s and p50/p99 through the gateway with 8 concurrent clients (and
 * with 1), and the argon2 verify time alone, to show where a login's time goes. A benchmark,
 * not a test: it prints figures and fails only when it cannot measure or a login fails.
 */

/** Failed logins never happen here, but 127.0.0.1 sends every request and must never be blocked. */
const THROTTLE_LIMIT = 1_000_000;
/** The subgraphs' default pool size, stated so the figures say what they were measured with. */
const POOL_SIZE = 10;


async function run(options: LoginBenchOptions, cleanup: Array<() => Promise<void>>, signal: AbortSignal): Promise<number> {
  const { machine } = await describeMachineBefore('Compliance Graph: login benchmark');

  const database: BenchDatabase = await step('starting the database', () => startBenchDatabase());
  cleanup.push(() => database.stop());
  const postgres = await step('connecting to the database', () => serverVersion(database.url));
  say(`database  PostgreSQL ${postgres}: ${database.description}`);

  const roleSecret = randomBytes(32).toString('base64url');
  await step('migrating the schemas', () => migrateAll(database.url, roleSecret));
  const stack: Stack = await step('starting the stack', async () =>
    startStack({
      databaseLogins: (schema) => serviceLoginUrls(database.url, schema, loginPasswords(roleSecret, schema)),
      env: {
        NODE_ENV: 'production',
        LOG_LEVEL: 'error',
        HOST: '127.0.0.1',
        DATABASE_POOL_SIZE: String(POOL_SIZE),
        ROUTER_SECRET: randomBytes(32).toString('base64url'),
        ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        INTERNAL_SERVICE_TOKEN: randomBytes(32).toString('base64url'),
      },
      signingKeysJson: JSON.stringify([await generateSigningKey()]),
      identity: {
        LOGIN_THROTTLE_ACCOUNT_LIMIT: String(THROTTLE_LIMIT),
        LOGIN_THROTTLE_ADDRESS_LIMIT: String(THROTTLE_LIMIT),
        SIGNUP_THROTTLE_ADDRESS_LIMIT: String(THROTTLE_LIMIT),
      },
    }),
  );
  cleanup.push(() => stack.stop());
  say(`stack     gateway ${stack.gatewayUrl} + identity, evidence, audit, subprocessors in this process`);
  say(`          (NODE_ENV=production, DATABASE_POOL_SIZE=${POOL_SIZE}, fresh random keys and secrets)`);
  say(`throttle  LOGIN_THROTTLE_ACCOUNT_LIMIT=${THROTTLE_LIMIT} and LOGIN_THROTTLE_ADDRESS_LIMIT=${THROTTLE_LIMIT} for this run`);
  say('          (defaults 5 and 50): every client is 127.0.0.1, and the run must never be throttled');

  const client: GraphqlHttpClient = graphqlHttpClient(`${stack.gatewayUrl}/graphql`, options.clients);
  cleanup.push(async () => client.close());
  const accounts = await step('signing up the accounts', () => signUpAccounts(client, options.tenants));
  const bodies = loginBodies(accounts);
  say(`accounts  ${accounts.length} tenants signed up through the gateway, each with its OWNER; logins go round-robin`);

  if (options.warmupSeconds > 0) {
    say(`warm-up   ${options.warmupSeconds} s with ${options.clients} clients ...`);
    await runLoginPhase({ client, bodies, clients: options.clients, seconds: options.warmupSeconds, signal });
  }
  const phases: MeasuredPhase[] = [];
  for (const clients of options.singleClient && options.clients !== 1 ? [options.clients, 1] : [options.clients]) {
    if (signal.aborted) break;
    say(`measuring ${options.seconds} s with ${clients} client${clients === 1 ? '' : 's'} ...`);
    const meter = cpuMeter();
    const result = await runLoginPhase({ client, bodies, clients, seconds: options.seconds, signal });
    phases.push({ ...result, cpu: meter() });
  }
  if (signal.aborted) throw new Error('interrupted before the measurement finished');

  say(`measuring argon2 verify alone: ${options.argon2Runs} sequential, then ${options.argon2Runs} with ${options.clients} in flight ...`);
  const password = accounts[0].password;
  const argon2 = await step('measuring argon2', async () =>
    measureArgon2(await storedPasswordHash(database.url, accounts[0].email), password, options.argon2Runs, options.clients),
  );
  const loadAfter = loadAverage();

  const report: LoginBenchReport = {
    date: new Date().toISOString().slice(0, 10),
    options,
    machine,
    database: database.description,
    postgres,
    poolSize: POOL_SIZE,
    throttleLimit: THROTTLE_LIMIT,
    phases,
    argon2,
  };
  say();
  say('login through the gateway: POST /graphql `mutation login`, real HTTP, keep-alive; latency of successful logins');
  indent(loginTable(phases));
  for (const phase of phases) {
    for (const [code, count] of phase.errors) say(`  errors with ${phase.clients} client(s): ${count} x ${code}`);
  }
  say();
  say(`argon2 verify alone (${argon2.parameters}, the hash identity stored at sign-up, @node-rs/argon2 verify as verifyPassword calls it)`);
  indent(argon2Table(argon2, options.argon2Runs));
  say();
  say('where the time goes');
  indent(breakdown(report));
  say(`  load average after: ${loadAfter} (other jobs on this machine show up here and in the "machine" column)`);
  say();
  say('--- for the README (## Benchmarks) ---');
  say(readmeBlock(report));
  say('--- end ---');

  const failed = phases.reduce((total, phase) => total + errorCount(phase), 0);
  if (failed > 0) {
    process.stderr.write(`bench:login: ${failed} login(s) failed (listed above); the figures are not a clean measurement\n`);
    return 1;
  }
  return 0;
}

runBench({ name: 'bench:login', usage: USAGE, parse: parseArgs, run });
