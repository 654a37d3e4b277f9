import { randomBytes } from 'node:crypto';
import { ProcessPlatform } from '@compliance-graph/start';
import { INGEST_PATH } from './audit-api';
import { defineBench, step } from './bench';
import { closedLoop } from './closed-loop';
import { gatewayGraphql } from './gateway-graphql';
import { READ_MIX, openSessions, type MixQuery, type Session } from './gateway-mix';
import { startVariants, type Variant } from './gateway-variants';
import { httpClient, readGraphql } from './http-client';
import { processUsage } from './machine';
import { directory, number } from './options';
import { THROTTLE_LIMIT } from './platform';
import { seedTenant, type SeededTenant, type TenantShape } from './sql-seed';
import { figure, ms, table } from './table';

interface Load {
  label: string;
  connections: number;
  /** Every connection sends the same credential (one user on many tabs, one partner's workers). */
  shared: boolean;
}

/** One variant serving one query under one load, summed over the rounds. */
interface Cell {
  load: string;
  query: string;
  variant: string;
  ok: number;
  seconds: number;
  errors: Record<string, number>;
  /** Each round's p50 and p99; the table shows their medians. */
  p50s: number[];
  p99s: number[];
  cpuMs: number;
  rssMiB: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor((sorted.length - 1) / 2)];
};
const rps = (cell: Cell) => cell.ok / cell.seconds;
const cpuPerRequest = (cell: Cell) => cell.cpuMs / cell.ok;

/** Sent to every process of the platform: production, tokens that outlive the run, no throttling of the bench's logins. */
const PLATFORM_ENV = {
  NODE_ENV: 'production',
  ACCESS_TOKEN_TTL_SECONDS: '3600',
  LOGIN_THROTTLE_ACCOUNT_LIMIT: THROTTLE_LIMIT,
  LOGIN_THROTTLE_ADDRESS_LIMIT: THROTTLE_LIMIT,
  LOGIN_THROTTLE_USER_LIMIT: THROTTLE_LIMIT,
  SIGNUP_THROTTLE_ADDRESS_LIMIT: THROTTLE_LIMIT,
};

/** The data every variant answers `query` with for `session`, as JSON: they must all agree before anything is timed. */
async function answerOf(variant: Variant, query: MixQuery, session: Session): Promise<string | undefined> {
  const target = variant.target(query, session);
  if (!target) return undefined;
  const client = httpClient(target.url, 1, target.headers);
  try {
    const outcome = readGraphql(await client.post(query.body));
    return outcome.error ? `error ${outcome.error}` : JSON.stringify(outcome.data);
  } finally {
    client.close();
  }
}

export const gatewayBench = defineBench({
  summary:
    'gateway: the read mix of a frontend and a partner through (a) our gateway, (b) ours executing the subgraphs in process, (c) Hive Gateway with the edge plugin and (d) the subgraph directly, every process of the platform its own as `npm start` runs them, in alternating rounds',
  options: {
    seconds: number(3, 'length of each measured cell of a round in seconds', { min: 0.5 }),
    rounds: number(3, 'rounds; each runs every variant once per query and load, in an order rotated per round', { min: 1, integer: true }),
    warmup: number(1, 'unmeasured seconds per variant and query before the first round', { min: 0 }),
    connections: number(16, 'connections of the concurrent loads', { min: 2, max: 256, integer: true }),
    tenants: number(10, 'tenants seeded', { min: 1, integer: true }),
    evidence: number(10_000, 'evidence items in all, spread over the tenants', { min: 1, integer: true }),
    auditEvents: number(100_000, 'audit events in all (about: every membership and evidence item gets the same number)', { min: 1, integer: true }),
    register: number(500, 'register entries in all', { min: 1, integer: true }),
    baseline: directory('also run our gateway as built in DIR (another checkout after `npm ci && npm run build`): variant (a0), a before/after in the same run'),
  },
  async run(options, { signal, onStop, print, progress }) {
    const platform = await step('starting the platform', () => ProcessPlatform.start('bench', PLATFORM_ENV));
    onStop(() => platform.stop());
    const { variants, stop } = await step('starting the variants', () => startVariants(platform, options.baseline));
    onStop(stop);

    const graphql = gatewayGraphql(platform.gatewayUrl);
    const ingest = httpClient(`${platform.subgraphUrl('audit')}${INGEST_PATH}`, 1, { authorization: `Bearer ${platform.secrets.IDENTITY_INGEST_TOKEN}` });
    onStop(async () => ingest.close());
    const members = 50;
    const evidence = Math.ceil(options.evidence / options.tenants);
    const shape: TenantShape = {
      members,
      evidence,
      decisionsPerEvidence: 2,
      register: Math.ceil(options.register / options.tenants),
      objectionsPerChange: 2,
      webhooks: 2,
      eventsPerSubject: Math.max(1, Math.round(options.auditEvents / options.tenants / (members + evidence))),
    };
    const run = randomBytes(4).toString('hex');
    const tenants: SeededTenant[] = [];
    for (let i = 0; i < options.tenants; i++) {
      progress(`seeding tenant ${i + 1} of ${options.tenants}`);
      tenants.push(await step(`seeding tenant ${i + 1}`, () => seedTenant(graphql, platform.admin, ingest, `gw-${run}-${i}`, shape)));
    }
    progress(`opening ${options.connections} sessions of each caller`);
    const sessions = await step('opening sessions', () =>
      openSessions(graphql, tenants, options.connections, { identityUrl: platform.subgraphUrl('identity'), routerSecret: platform.secrets.ROUTER_SECRET }),
    );

    const failures: string[] = [];
    for (const query of READ_MIX) {
      const session = sessions[query.caller][0];
      const expected = await answerOf(variants[0], query, session);
      for (const variant of variants.slice(1)) {
        const answer = await answerOf(variant, query, session);
        if (answer !== undefined && answer !== expected) failures.push(`${variant.label} answers "${query.name}" differently from ${variants[0].label}: ${answer?.slice(0, 200)}`);
      }
    }

    const loads: Load[] = [
      { label: '1 connection', connections: 1, shared: false },
      { label: `${options.connections} connections, a session each`, connections: options.connections, shared: false },
      { label: `${options.connections} connections, one shared token`, connections: options.connections, shared: true },
    ];
    const cells = new Map<string, Cell>();
    const measure = async (load: Load, query: MixQuery, variant: Variant, seconds: number, cell?: Cell) => {
      const clients = Array.from({ length: load.connections }, (_, i) => {
        const target = variant.target(query, sessions[query.caller][load.shared ? 0 : i])!;
        return httpClient(target.url, 1, target.headers);
      });
      const before = variant.pid === undefined ? undefined : processUsage(variant.pid);
      try {
        const result = await closedLoop(load.connections, seconds, signal, async (i) => readGraphql(await clients[i].post(query.body)).error);
        if (!cell) return;
        const after = variant.pid === undefined ? undefined : processUsage(variant.pid);
        cell.ok += result.ok;
        cell.seconds += result.seconds;
        cell.p50s.push(result.latency.p50);
        cell.p99s.push(result.latency.p99);
        cell.cpuMs += before && after ? after.cpuMs - before.cpuMs : NaN;
        cell.rssMiB = Math.max(cell.rssMiB, after?.rssMiB ?? NaN);
        for (const [error, count] of Object.entries(result.errors)) cell.errors[error] = (cell.errors[error] ?? 0) + count;
      } finally {
        clients.forEach((client) => client.close());
      }
    };
    const served = (query: MixQuery) => variants.filter((variant) => variant.target(query, sessions[query.caller][0]));

    if (options.warmup > 0) {
      for (const query of READ_MIX) {
        for (const variant of served(query)) {
          progress(`warm-up: ${query.name}, ${variant.label}`);
          await measure(loads[1], query, variant, options.warmup);
        }
      }
    }
    for (let round = 0; round < options.rounds && !signal.aborted; round++) {
      for (const load of loads) {
        for (const query of READ_MIX) {
          const inTurn = served(query);
          // Each round starts with another variant, so a slow moment of the machine hits each alike.
          const rotated = [...inTurn.slice(round % inTurn.length), ...inTurn.slice(0, round % inTurn.length)];
          for (const variant of rotated) {
            progress(`round ${round + 1} of ${options.rounds}: ${load.label}, ${query.name}, ${variant.label}`);
            const key = `${load.label}|${query.name}|${variant.key}`;
            const cell = cells.get(key) ?? { load: load.label, query: query.name, variant: variant.label, ok: 0, seconds: 0, errors: {}, p50s: [], p99s: [], cpuMs: 0, rssMiB: 0 };
            cells.set(key, cell);
            await measure(load, query, variant, options.seconds, cell);
          }
        }
      }
    }

    const rows = [...cells.values()];
    for (const row of rows) {
      const errors = Object.values(row.errors).reduce((total, n) => total + n, 0);
      if (errors > 0) failures.push(`${row.load}, ${row.query}, ${row.variant}: ${errors} failed (${JSON.stringify(row.errors)})`);
    }
    print(`platform: every service its own process as \`npm start\` runs them (NODE_ENV=production, an embedded PostgreSQL); load from this process, node:http keep-alive, one socket per connection`);
    print(`seeded: ${options.tenants} tenants, each ${shape.members} members, ${shape.evidence} evidence items, ${shape.register} register entries, about ${shape.eventsPerSubject * (shape.members + shape.evidence)} audit events`);
    print(`${options.rounds} rounds of ${options.seconds} s per cell; p50 and p99 are the medians of the rounds'; CPU is the variant's process (for (b) the whole platform but PostgreSQL), from /proc`);
    for (const load of loads) {
      print();
      print(`### ${load.label}`);
      print(
        table(
          rows.filter((row) => row.load === load.label),
          {
            query: (r) => r.query,
            variant: (r) => r.variant,
            'req/s': (r) => figure(rps(r)),
            p50: (r) => ms(median(r.p50s)),
            p99: (r) => ms(median(r.p99s)),
            'CPU ms/req': (r) => (Number.isNaN(r.cpuMs) ? '—' : figure(cpuPerRequest(r), 2)),
            'RSS MiB': (r) => (Number.isNaN(r.rssMiB) ? '—' : figure(r.rssMiB, 0)),
            failed: (r) => figure(Object.values(r.errors).reduce((total, n) => total + n, 0), 0),
          },
        ),
      );
    }
    const goals = gatewayGoals(cells, loads, variants);
    print();
    print('### Goals');
    print(table(goals, { goal: (g) => g.goal, measured: (g) => g.measured, 'met?': (g) => (g.met ? 'yes' : 'NO') }));
    return { figures: { shape, loads, cells: rows, goals }, failures };
  },
});

/** The goals, each as a ratio or a difference of two cells of this run. */
function gatewayGoals(cells: Map<string, Cell>, loads: Load[], variants: Variant[]) {
  const has = (key: string) => variants.some((variant) => variant.key === key);
  const cell = (load: Load, query: MixQuery, variant: string) => cells.get(`${load.label}|${query.name}|${variant}`);
  const [single, perSession, shared] = loads;
  const goals: Array<{ goal: string; measured: string; met: boolean }> = [];
  const ratio = (load: Load, query: MixQuery, of: string, to: string, atLeast: number) => {
    const a = cell(load, query, of);
    const b = cell(load, query, to);
    if (!a || !b) return;
    const value = rps(a) / rps(b);
    goals.push({ goal: `${query.name}, ${load.label}: (${of}) ≥ ${atLeast} × (${to}) req/s`, measured: `${figure(value, 2)} (${figure(rps(a))} / ${figure(rps(b))})`, met: value >= atLeast });
  };
  for (const query of READ_MIX) {
    if (has('c')) {
      ratio(perSession, query, 'a', 'c', 1.15);
      ratio(shared, query, 'a', 'c', 1);
    }
    if (query.subgraph) ratio(perSession, query, 'a', 'd', 0.8);
    const a = cell(single, query, 'a');
    const d = cell(single, query, 'd');
    if (a && d) {
      const added = median(a.p50s) - median(d.p50s);
      goals.push({ goal: `${query.name}, ${single.label}: the gateway adds ≤ 1.5 ms to p50`, measured: ms(added), met: added <= 1.5 });
    }
  }
  const members = cell(perSession, READ_MIX[0], 'a');
  if (members) goals.push({ goal: `${READ_MIX[0].name}, ${perSession.label}: gateway CPU ≤ 1.0 ms per request`, measured: `${figure(cpuPerRequest(members), 2)} ms`, met: cpuPerRequest(members) <= 1 });
  return goals;
}
