import type { ApolloServerPlugin } from '@apollo/server';
import type { Edge } from '@compliance-graph/edge';
import type { GatewayContext } from './context';

/** The edge's checks of a resolved operation (principal change, cost, support log), at Apollo's hook for them. */
export const edgeOperationPlugin = (edge: Edge): ApolloServerPlugin<GatewayContext> => ({
  async requestDidStart() {
    return {
      async didResolveOperation({ schema, document, operation, operationName, request, queryHash, contextValue }) {
        await edge.beforeOperation(
          contextValue,
          { schema, document, operation, operationName: operationName ?? undefined, variables: request.variables },
          { documentHash: queryHash, clientIp: contextValue.clientIp, userAgent: contextValue.userAgent },
        );
      },
    };
  },
});
