import { loginFailure, signUpAccounts } from './accounts';
import { measureArgon2 } from './argon2';
import { defineBench, step } from './bench';
import { closedLoop, errorCount } from './closed-loop';
import { httpClient } from './http-client';
import { eventLoopMeter } from './machine';
import { number, numbers } from './options';
import { POOL_SIZE, startPlatform, THROTTLE_LIMIT } from './platform';
import { startBenchPostgres } from './postgres';
import { figure, ms, percent, table } from './table';

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
    const stack = await step('starting the platform', () => startPlatform(postgres));
    onStop(stack.stop);
    print(`postgres: PostgreSQL ${postgres.version}, ${postgres.description}`);
    print(`stack: gateway + 4 subgraphs in this process, NODE_ENV=production, DATABASE_POOL_SIZE=${POOL_SIZE}, throttles at ${THROTTLE_LIMIT}`);

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
    progress(`argon2 verify alone: ${options.argon2Runs} one after another`);
    const argon2 = await measureArgon2(options.argon2Runs);

    print();
    print(`\`login\` through the gateway, ${bodies.length} tenants round-robin, real HTTP with keep-alive`);
    const loginTable = table(phases, {
      clients: (p) => `${p.clients} client${p.clients === 1 ? '' : 's'}`,
      'logins/s': (p) => figure(p.perSecond),
      p50: (p) => ms(p.latency.p50),
      p90: (p) => ms(p.latency.p90),
      p99: (p) => ms(p.latency.p99),
      errors: errorCount,
      'event loop': (p) => percent(p.eventLoop),
    });
    print(loginTable);
    print();
    const { parameters, perSecond, p50, p99 } = argon2;
    print(`${parameters} verify alone, one after another: ${figure(perSecond)} verifies/s, p50 ${ms(p50)}, p99 ${ms(p99)}`);

    const failed = phases.filter((phase) => errorCount(phase) > 0);
    return {
      figures: { postgres: postgres.version, poolSize: POOL_SIZE, phases, argon2 },
      failures: failed.map((phase) => `logins failed with ${phase.clients} client(s): ${JSON.stringify(phase.errors)}`),
    };
  },
});
