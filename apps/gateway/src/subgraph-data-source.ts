import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { forwardHeaders } from '@compliance-graph/edge';
import { inClientSpan } from '@compliance-graph/runtime';
import type { GatewayContext } from './context';

/** Sends each subgraph fetch with the caller's token and the gateway's forwarding headers. */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  /** `timeFetch` starts timing one fetch and returns what ends it (the fetch latency metric). */
  constructor(url: string, private readonly routerSecret: string, timeoutMs: number, timeFetch: () => () => void) {
    super({ url });
    // A deadline on Apollo's own fetcher: a subgraph that hangs fails its fields with
    // INTERNAL_SERVER_ERROR instead of holding the client's request open forever. Each fetch
    // runs in a client span whose traceparent the subgraph continues.
    const fetcher = this.fetcher;
    this.fetcher = (input, init) =>
      inClientSpan('POST /graphql', new URL(url), async (traceHeaders) => {
        const fetched = timeFetch();
        try {
          return await fetcher(input, { ...init, headers: { ...init?.headers, ...traceHeaders }, signal: AbortSignal.timeout(timeoutMs) });
        } finally {
          fetched();
        }
      });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (!('requestId' in context)) return;
    for (const [name, value] of Object.entries(forwardHeaders(context as GatewayContext, this.routerSecret))) {
      request.http?.headers.set(name, value);
    }
  }
}
