import type { IncomingHttpHeaders } from 'node:http';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GraphQLRequest, GraphQLResponse } from '@apollo/server';
import { forwardHeaders } from '@compliance-graph/edge';
import type { GatewayContext } from './context';

type SubgraphAnswer = Awaited<ReturnType<GraphQLDataSource['process']>>;

/** A subgraph running in the gateway's own process (RunningSubgraph.executeForwarded). */
export interface InProcessSubgraph {
  executeForwarded(request: GraphQLRequest, headers: IncomingHttpHeaders): Promise<GraphQLResponse>;
}

/**
 * Apollo's LocalGraphQLDataSource without its one shortcut: the subgraph is handed the headers
 * the gateway would send over HTTP (token, router secret, client), so it checks them and builds
 * its own context exactly as over HTTP. The gateway then costs what it costs without any
 * network between it and its subgraphs: the benchmark's measure of what HTTP adds.
 */
export class InProcessSubgraphSource implements GraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraph: InProcessSubgraph,
    private readonly routerSecret: string,
  ) {}

  async process({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphAnswer> {
    const headers = 'requestId' in context ? forwardHeaders(context as GatewayContext, this.routerSecret) : {};
    const { body } = await this.subgraph.executeForwarded({ query: request.query, variables: request.variables, operationName: request.operationName }, headers);
    if (body.kind !== 'single') throw new Error('a subgraph answered an incremental response, which the gateway does not request');
    return body.singleResult as SubgraphAnswer;
  }
}
