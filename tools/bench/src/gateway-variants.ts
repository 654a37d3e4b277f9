import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { ROUTER_SECRET_HEADER } from '@compliance-graph/auth';
import { SUBGRAPH_APPS, type ProcessPlatform } from '@compliance-graph/start';
import type { LoginRole } from '@compliance-graph/db';
import type { InProcessReady, InProcessSetup } from './in-process-gateway-main';
import type { MixQuery, Session } from './gateway-mix';

/** Where one request of a variant goes, with what. */
export interface Target {
  url: string;
  headers: Record<string, string>;
}

export interface Variant {
  key: string;
  label: string;
  /** The process whose CPU time and memory are the variant's cost; none for a subgraph asked directly. */
  pid?: number;
  /** Where `query` goes for `session`; undefined when the variant cannot serve it (a federated query, for a subgraph alone). */
  target(query: MixQuery, session: Session): Target | undefined;
}

const READY_TIMEOUT_MS = 120_000;

/** A gateway at `url`: every query, the session's own credential as the client sends it. */
const gatewayVariant = (key: string, label: string, url: string, pid: number): Variant => ({
  key,
  label,
  pid,
  target: (_query, session) => ({ url: `${url}/graphql`, headers: { authorization: `Bearer ${session.credential}` } }),
});

/**
 * The subgraph that answers a query alone, asked as the gateway asks it: the router secret, the
 * access token (an API key already traded for one) and the client address.
 */
const directVariant = (platform: ProcessPlatform): Variant => ({
  key: 'd',
  label: '(d) the subgraph directly',
  target: (query, session) =>
    query.subgraph && {
      url: `${platform.subgraphUrl(query.subgraph)}/graphql`,
      headers: { authorization: `Bearer ${session.accessToken}`, [ROUTER_SECRET_HEADER]: platform.secrets.ROUTER_SECRET, 'x-forwarded-for': '127.0.0.1' },
    },
});

/**
 * Forks in-process-gateway-main on the platform's database and secrets, with nothing running in
 * the background (relays, checkpoints, schedulers): it only answers reads.
 */
async function forkInProcessGateway(platform: ProcessPlatform): Promise<{ child: ChildProcess; url: string }> {
  const logins = Object.fromEntries(
    Object.entries(SUBGRAPH_APPS).map(([name, app]) => {
      const env = platform.serviceEnv(name);
      return [app.database.schema, { app: env.DATABASE_URL, worker: env.DATABASE_WORKER_URL } as Record<LoginRole, string>];
    }),
  );
  const setup: InProcessSetup = {
    logins,
    signingKeysJson: platform.secrets.JWT_SIGNING_KEYS,
    env: {
      NODE_ENV: 'production',
      LOG_LEVEL: 'error',
      HOST: '127.0.0.1',
      METRICS_PORT: 'off',
      ROUTER_SECRET: platform.secrets.ROUTER_SECRET,
      ENCRYPTION_KEY: platform.secrets.ENCRYPTION_KEY,
      INTERNAL_SERVICE_TOKEN: randomBytes(32).toString('base64url'),
      OUTBOX_RELAY: 'off',
      AUDIT_CHECKPOINT_INTERVAL_SECONDS: '0',
      ACCESS_REVIEW_SCHEDULER_INTERVAL_SECONDS: '0',
      CHANGE_SCHEDULER_INTERVAL_MS: '0',
      UPLOAD_COLLECTOR_INTERVAL_SECONDS: '0',
    },
  };
  const child = fork(resolve(__dirname, 'in-process-gateway-main.js'), [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.send(setup);
  const [ready] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => [{ error: `exited with code ${code}` }]),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`not ready within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS).unref()),
  ])) as [InProcessReady];
  if ('error' in ready) throw new Error(`the in-process gateway: ${ready.error}`);
  return { child, url: ready.url };
}

/**
 * Every variant of the comparison on one platform: (a) our gateway, (a0) our gateway as built
 * in `baseline` (another checkout, its `npm run build` done), (b) ours executing the subgraphs
 * in its own process, (c) Hive Gateway with the edge plugin, (d) the subgraph directly.
 * `stop` ends what this started besides the platform.
 */
export async function startVariants(platform: ProcessPlatform, baseline: string | undefined): Promise<{ variants: Variant[]; stop: () => Promise<void> }> {
  const variants: Variant[] = [gatewayVariant('a', '(a) our gateway', platform.gatewayUrl, platform.pid('gateway'))];
  if (baseline) {
    const url = await platform.startExtraGateway({ name: 'baseline-gateway', script: resolve(baseline, 'apps/gateway/dist/main.js') });
    variants.push(gatewayVariant('a0', `(a0) our gateway at ${baseline}`, url, platform.pid('baseline-gateway')));
  }
  const inProcess = await forkInProcessGateway(platform);
  variants.push(gatewayVariant('b', '(b) ours, subgraphs in process', inProcess.url, inProcess.child.pid!));
  const hive = await platform.startExtraGateway({ name: 'hive-gateway', script: 'apps/hive-gateway/dist/main.js' });
  variants.push(gatewayVariant('c', '(c) Hive Gateway + edge plugin', hive, platform.pid('hive-gateway')));
  variants.push(directVariant(platform));
  return {
    variants,
    stop: async () => {
      const exited = once(inProcess.child, 'exit');
      inProcess.child.disconnect();
      await exited;
    },
  };
}
