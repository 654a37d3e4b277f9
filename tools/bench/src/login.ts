import { randomBytes } from 'node:crypto';
import { generateSigningKey } from '@compliance-graph/auth';
import { loginPasswords, serviceLoginUrls } from '@compliance-graph/db';
import { migrateAll, startStack } from '@compliance-graph/stack';
import { loginFailure, signUpAccounts } from './accounts';
import { measureArgon2 } from './argon2';
import { defineBench, step } from './bench';
import { closedLoop, errorCount } from './closed-loop';
import { httpClient } from './http-client';
import { eventLoopMeter } from './machine';
import { number, numbers } from './options';
import { startBenchPostgres } from './postgres';
import { figure, ms, percent, table } from './table';

/** Every login comes from 127.0.0.1 and must never be throttled (defaults: 5 per account, 50 per address). */
const THROTTLE_LIMIT = '1000000';
const POOL_SIZE = 10;
const secret = (encoding: BufferEncoding = 'base64url') => randomBytes(32).toString(encoding);

export const loginBench = defineBench({
  summary: 'login: logins/s and latency through the gateway (whole stack in one process), and argon2id verify alone',
  options: {
    seconds: number(20, 'length of each measured phase in seconds', { min: 0.1 }),
    warmup: number(3, 'unmeasured warm-up in seconds', { min: 0 }),
    clients: numbers([8, 1], 'concurrent clients, one phase each', { min: 1, max: 1000, integer: true }),
    tenants: number(16, 'tenants signed up (each with its OWNER) and logged into round-robin', { min: 1, integer: true }),
    argon2Runs: number(200, 'verifies per argon2 measurement', { min: 10, integer: true }),
  },
  async run(options, { signal, onStop, print, progress }) {
    const postgres = await step('starting PostgreSQL', startBenchPostgres);
    onStop(postgres.stop);
    const roleSecret = secret();
    await step('migrating the schemas', () => migrateAll(postgres.url, roleSecret));
    const stack = await step('starting the stack', async () =>
      startStack({
        databaseLogins: (schema) => serviceLoginUrls(postgres.url, schema, loginPasswords(roleSecret, schema)),
        env: {
          NODE_ENV: 'production',
          LOG_LEVEL: 'error',
          HOST: '127.0.0.1',
          DATABASE_POOL_SIZE: String(POOL_SIZE),
          ROUTER_SECRET: secret(),
          ENCRYPTION_KEY: secret('base64'),
          INTERNAL_SERVICE_TOKEN: secret(),
        },
        signingKeysJson: JSON.stringify([await generateSigningKey()]),
        identity: {
          LOGIN_THROTTLE_ACCOUNT_LIMIT: THROTTLE_LIMIT,
          LOGIN_THROTTLE_ADDRESS_LIMIT: THROTTLE_LIMIT,
          SIGNUP_THROTTLE_ADDRESS_LIMIT: THROTTLE_LIMIT,
        },
      }),
    );
    onStop(stack.stop);
    print(`postgres: PostgreSQL ${postgres.version}, ${postgres.description}`);
    print(`stack: gateway + 4 subgraphs in this process, NODE_ENV=production, DATABASE_POOL_SIZE=${POOL_SIZE}, login throttles at ${THROTTLE_LIMIT}`);

    const maxClients = Math.max(...options.clients);
    const client = httpClient(`${stack.gatewayUrl}/graphql`, maxClients);
    onStop(async () => client.close());
    const bodies = await step('signing up the accounts', () => signUpAccounts(client, options.tenants));
    let next = 0;
    const login = async () => loginFailure(await client.post(bodies[next++ % bodies.length]));
    if (options.warmup > 0) {
      progress(`warm-up: ${options.warmup} s with ${maxClients} clients`);
      await closedLoop(maxClients, options.warmup, signal, login);
    }
    const phases = [];
    for (const clients of options.clients) {
      progress(`measuring ${options.seconds} s with ${clients} client(s)`);
      const meter = eventLoopMeter();
      const result = await closedLoop(clients, options.seconds, signal, login);
      phases.push({ ...result, perSecond: result.ok / result.seconds, eventLoop: meter() });
    }
    if (signal.aborted) throw new Error('interrupted');
    progress(`argon2 verify alone: ${options.argon2Runs} with 1 in flight, then with ${maxClients}`);
    const argon2 = await measureArgon2(options.argon2Runs, maxClients);

    print();
    print(`\`login\` through the gateway, ${bodies.length} tenants round-robin, real HTTP with keep-alive`);
    const loginRows = phases.map((p) => [
      `${p.clients} client${p.clients === 1 ? '' : 's'}`,
      figure(p.perSecond),
      ms(p.latency.p50),
      ms(p.latency.p90),
      ms(p.latency.p99),
      errorCount(p),
      percent(p.eventLoop),
    ]);
    print(table(['clients', 'logins/s', 'p50', 'p90', 'p99', 'errors', 'event loop'], loginRows));
    print();
    const argon2Rows = argon2.runs.map((run) => [`${run.inFlight} in flight`, figure(run.perSecond), ms(run.p50), ms(run.p99)]);
    print(table([`${argon2.parameters} verify alone`, 'verifies/s', 'p50', 'p99'], argon2Rows));

    const failed = phases.filter((phase) => errorCount(phase) > 0);
    return {
      figures: { postgres: postgres.version, poolSize: POOL_SIZE, phases, argon2 },
      failures: failed.map((phase) => `logins failed with ${phase.clients} client(s): ${JSON.stringify(phase.errors)}`),
    };
  },
});
