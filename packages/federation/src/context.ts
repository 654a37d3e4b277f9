import type { AuthContext } from '@compliance-graph/auth';

/** The per-request context every subgraph resolver receives. */
export interface RequestContext<Loaders = unknown> extends AuthContext {
  /** Client address as the gateway saw it; only trusted alongside the router secret. */
  clientIp: string | null;
  userAgent: string | null;
  /** Per-request DataLoaders, so a list of N entities costs a constant number of queries. */
  loaders: Loaders;
}
