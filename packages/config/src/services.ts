/**
 * The platform's services, declared once. The launcher, the in-process stack, composition, the
 * gateway's subgraph URLs and every app's defaults read this list; adding a subgraph is one
 * entry here (and the type checker then names each place that needs its parts, such as its
 * migrations or its schema builder). `metricsPort` is where the launcher has the service serve
 * /metrics: a port of its own, never its public one.
 */
export const SUBGRAPHS = [
  { name: 'identity', port: 4001, metricsPort: 9401 },
  { name: 'evidence', port: 4002, metricsPort: 9402 },
  { name: 'audit', port: 4003, metricsPort: 9403 },
  { name: 'subprocessors', port: 4004, metricsPort: 9404 },
] as const;

export const GATEWAY = { name: 'gateway', port: 4000, metricsPort: 9400 } as const;

export type SubgraphName = (typeof SUBGRAPHS)[number]['name'];
export type ServiceName = SubgraphName | typeof GATEWAY.name;

/** Each subgraph owns the PostgreSQL schema of its own name. */
export const SUBGRAPH_NAMES: readonly SubgraphName[] = SUBGRAPHS.map((s) => s.name);

export const defaultPort = (name: ServiceName): number =>
  name === GATEWAY.name ? GATEWAY.port : SUBGRAPHS.find((s) => s.name === name)!.port;

/** Where a service listens on one machine by default. */
export const defaultUrl = (name: ServiceName): string => `http://127.0.0.1:${defaultPort(name)}`;

/** The variable naming a subgraph's base URL for the gateway: `IDENTITY_URL`, ... */
export const urlVariable = <N extends SubgraphName>(name: N) => `${name.toUpperCase() as Uppercase<N>}_URL` as const;

/** The launcher's variable for a service's port: `GATEWAY_PORT`, `IDENTITY_PORT`, ... */
export const portVariable = <N extends ServiceName>(name: N) => `${name.toUpperCase() as Uppercase<N>}_PORT` as const;

/** The launcher's variable for a service's /metrics port: `GATEWAY_METRICS_PORT`, `IDENTITY_METRICS_PORT`, ... */
export const metricsPortVariable = <N extends ServiceName>(name: N) => `${name.toUpperCase() as Uppercase<N>}_METRICS_PORT` as const;

/** The gateway's environment for the subgraphs' base URLs: `{ IDENTITY_URL: ..., ... }`. */
export const subgraphUrlEnv = (urls: Partial<Record<SubgraphName, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(urls).map(([name, url]) => [urlVariable(name as SubgraphName), url]));

/** One value per subgraph, in the registry's order. */
export const perSubgraph = <T>(value: (name: SubgraphName) => T): Record<SubgraphName, T> =>
  Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, value(name)])) as Record<SubgraphName, T>;
