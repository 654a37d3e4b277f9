import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { OperationTypeNode } from 'graphql';
import { forwardHeaders } from '@compliance-graph/edge';
import type { GatewayContext } from './context';
import type { SubgraphClient } from './subgraph-client';

/**
 * Whether the fetch belongs to a client's query. Only those may share an identical fetch's
 * answer: every fetch of a mutation's plan must run itself, the mutation field for its effect and
 * the fetches after it to see what it wrote (an identical fetch begun before would not).
 */
const ofQuery = (options: GraphQLDataSourceProcessOptions<GatewayContext>): boolean =>
  'incomingRequestContext' in options && options.incomingRequestContext.operation.operation === OperationTypeNode.QUERY;

/** Sends each subgraph fetch with the caller's token and the gateway's forwarding headers, through the gateway's client. */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    subgraph: string,
    url: string,
    private readonly routerSecret: string,
    private readonly client: SubgraphClient,
  ) {
    super({ url, fetcher: client.fetcher(subgraph) });
  }

  override process(options: GraphQLDataSourceProcessOptions<GatewayContext>): ReturnType<RemoteGraphQLDataSource['process']> {
    return ofQuery(options) ? this.client.merging(() => super.process(options)) : super.process(options);
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (!('requestId' in context)) return;
    for (const [name, value] of Object.entries(forwardHeaders(context as GatewayContext, this.routerSecret))) {
      request.http?.headers.set(name, value);
    }
  }
}
