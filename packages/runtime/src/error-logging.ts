import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from '@compliance-graph/config';
import { isPublicError } from '@compliance-graph/federation';

/** Logs every error a client will only see as INTERNAL_SERVER_ERROR, with the request id. */
export function errorLoggingPlugin<C extends { requestId: string }>(logger: Logger): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue, operationName }) {
          for (const error of errors) {
            if (isPublicError({ message: error.message, extensions: error.extensions })) continue;
            logger.error(
              { requestId: contextValue.requestId, operationName, path: error.path, error: unwrapResolverError(error) },
              'unexpected error',
            );
          }
        },
      };
    },
  };
}
