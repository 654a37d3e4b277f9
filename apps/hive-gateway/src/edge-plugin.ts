import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { getOperationAST, GraphQLError, parse, type GraphQLFormattedError } from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { CodedError, ErrorCode, badUserInput } from '@compliance-graph/auth';
import type { Logger } from '@compliance-graph/config';
import { isPublicError } from '@compliance-graph/federation';
import type { Edge, EdgeCredentials, ForwardedRequest } from '@compliance-graph/edge';
import { readGraphqlRequest } from './graphql-request';

/** What the edge established about a request, in its GraphQL context. */
export interface EdgeContext {
  edge: EdgeCredentials & ForwardedRequest;
}

export interface EdgePluginOptions {
  logger: Logger;
  maxBodyBytes: number;
  /** Validation messages do not suggest field names ("Did you mean …?"), as Apollo's hideSchemaDetailsFromClientErrors. */
  hideSchemaDetails: boolean;
}

const withHttpStatus = (error: CodedError) => new GraphQLError(error.message, { extensions: { code: error.code, http: { status: error.httpStatus } } });

/**
 * Hive's own request errors (a mutation over GET, a missing query) carry an HTTP status but no
 * code; those are the client's fault, as BAD_REQUEST says in our gateway.
 */
function codedFormatted(error: GraphQLError): GraphQLFormattedError {
  const formatted = error.toJSON();
  const status = (error.extensions?.http as { status?: number } | undefined)?.status;
  if (formatted.extensions?.code === undefined && status !== undefined && status >= 400 && status < 500) {
    return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.BAD_REQUEST } };
  }
  return formatted;
}

/**
 * The edge as a Hive Gateway plugin: the same checks as our gateway's, at Hive's hooks. Its request
 * parser is ours (strict JSON, body limit, no batches, CSRF), authentication runs before the
 * document is parsed, the operation checks before it is planned, the forwarded headers are set on
 * every subgraph fetch, and every error a client sees goes through the edge's mask.
 */
export function useEdge(edge: Edge, options: EdgePluginOptions): GatewayPlugin<EdgeContext> {
  const established = new WeakMap<Request, EdgeContext['edge']>();
  return {
    onRequestParse({ setRequestParser }) {
      setRequestParser((request) => readGraphqlRequest(request, options.maxBodyBytes));
    },
    async onParams({ request, context }) {
      let credentials: EdgeCredentials;
      try {
        credentials = await edge.authenticate(request.headers.get('authorization') ?? undefined);
      } catch (error) {
        throw error instanceof CodedError ? withHttpStatus(error) : error;
      }
      established.set(request, {
        ...credentials,
        // Node's http server hands Hive its request as `req` of the server context.
        clientIp: edge.clientAddress((context as unknown as { req: IncomingMessage }).req),
        userAgent: request.headers.get('user-agent') ?? undefined,
        requestId: randomUUID(),
      });
    },
    onParse({ setParseFn }) {
      setParseFn((source, parseOptions) => parse(source, { ...parseOptions, maxTokens: edge.maxTokens }));
    },
    onValidate({ addValidationRule }) {
      for (const rule of edge.validationRules) addValidationRule(rule);
    },
    onContextBuilding({ context, extendContext }) {
      const request = established.get(context.request);
      if (request) extendContext({ edge: request });
    },
    async onExecute({ args, setResultAndStopExecution }) {
      const { schema, document, operationName, variableValues, contextValue } = args;
      const operation = getOperationAST(document, operationName);
      const request = (contextValue as EdgeContext).edge;
      try {
        // Hive's executor leaves variables that do not fit the operation uncoded; ours are BAD_USER_INPUT, refused before planning.
        const coerced = operation && getVariableValues(schema, operation.variableDefinitions ?? [], variableValues ?? {}, { maxErrors: 1 });
        if (coerced?.errors) throw withHttpStatus(badUserInput(coerced.errors[0].message));
        await edge.beforeOperation(
          request,
          { schema, document, operation, operationName: operationName ?? operation?.name?.value ?? undefined, variables: variableValues ?? undefined },
          { documentHash: null, clientIp: request.clientIp, userAgent: request.userAgent },
        );
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        setResultAndStopExecution({ errors: [error] });
      }
    },
    onFetch({ context, options: fetchOptions }) {
      const request = (context as Partial<EdgeContext>).edge;
      if (!request) return;
      fetchOptions.headers = { ...fetchOptions.headers, ...edge.forwardHeaders(request) };
    },
    onResultProcess({ request, result, setResult }) {
      if (Array.isArray(result) || !('errors' in result) || !result.errors?.length) return;
      const requestId = established.get(request)?.requestId;
      const errors = result.errors.map((error: GraphQLError) => {
        const formatted = codedFormatted(error);
        if (!isPublicError(formatted)) options.logger.error({ requestId, path: error.path, error: error.originalError ?? error }, 'unexpected error');
        const masked = edge.maskError(formatted);
        const message =
          options.hideSchemaDetails && masked.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' ? masked.message.replace(/ ?Did you mean(.+?)\?$/, '') : masked.message;
        return new GraphQLError(message, {
          path: masked.path,
          extensions: { ...masked.extensions, http: error.extensions?.http },
        });
      });
      setResult({ ...result, errors });
    },
  };
}
