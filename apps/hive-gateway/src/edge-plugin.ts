import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { getOperationAST, GraphQLError, parse, type GraphQLFormattedError } from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { ErrorCode, badUserInput } from '@compliance-graph/auth';
import type { Logger } from '@compliance-graph/config';
import { isPublicError } from '@compliance-graph/federation';
import type { Edge, EdgeCredentials, ForwardedRequest } from '@compliance-graph/edge';
import { REQUEST_ID_HEADER, withHttpStatus } from '@compliance-graph/runtime';
import { readGraphqlRequest } from './graphql-request';

/** What the edge established about a request, in its GraphQL context. */
export interface EdgeContext {
  edge: EdgeCredentials & ForwardedRequest & { documentHash: string | null };
}

export interface EdgePluginOptions {
  logger: Logger;
  maxBodyBytes: number;
  /** Validation messages do not suggest field names ("Did you mean …?"), as Apollo's hideSchemaDetailsFromClientErrors. */
  hideSchemaDetails: boolean;
}

const statusOf = (error: GraphQLError) => (error.extensions?.http as { status?: number } | undefined)?.status;

/** Refused documents are 400s in our gateway (Apollo's answer); Hive answers them 200. */
const DOCUMENT_REFUSALS = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED']);

/**
 * Hive's codes for a subgraph request that failed (unreachable, timed out, shutting down). Our
 * gateway answers those INTERNAL_SERVER_ERROR for the operation, not for a field: a path would name
 * the root field, often after the subgraph.
 */
const UPSTREAM_FAILURES = new Set(['SUBREQUEST_HTTP_ERROR', 'GATEWAY_TIMEOUT', 'TIMEOUT_ERROR', 'DOWNSTREAM_SERVICE_ERROR', 'SHUTTING_DOWN', 'SCHEMA_RELOAD']);

/**
 * An error in our gateway's terms: Hive's own request errors (a mutation over GET, a missing
 * query) carry an HTTP status but no code, and are the client's fault, as BAD_REQUEST says;
 * a failed subgraph request is an internal error of the operation.
 */
function inOurTerms(error: GraphQLError): GraphQLFormattedError {
  const formatted = error.toJSON();
  const code = formatted.extensions?.code;
  const status = statusOf(error);
  if (code === undefined && status !== undefined && status >= 400 && status < 500) {
    return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.BAD_REQUEST } };
  }
  if (typeof code === 'string' && UPSTREAM_FAILURES.has(code)) {
    return { message: formatted.message, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
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
    async onParams({ request, params, context }) {
      const credentials = await edge.authenticate(request.headers.get('authorization') ?? undefined).catch((error: unknown) => {
        throw withHttpStatus(error);
      });
      established.set(request, {
        ...credentials,
        // Node's http server hands Hive its request as `req` of the server context.
        clientIp: edge.clientAddress((context as unknown as { req: IncomingMessage }).req),
        userAgent: request.headers.get('user-agent') ?? undefined,
        requestId: randomUUID(),
        // Apollo's queryHash, so a support record names a document alike through either gateway.
        documentHash: params.query === undefined ? null : createHash('sha256').update(params.query).digest('hex'),
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
          { documentHash: request.documentHash, clientIp: request.clientIp, userAgent: request.userAgent },
        );
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        setResultAndStopExecution({ errors: [error] });
      }
    },
    // Hive merges identical in-flight subgraph requests, keyed by URL, body and the headers its
    // executor was handed: headers added at onFetch are not in that key, and one tenant's request
    // got another tenant's answer. So every forwarded header but the request id is handed over
    // here, and only requests of the same token, client and document are merged, as in our gateway.
    onSubgraphExecute({ executionRequest, setExecutionRequest }) {
      const request = (executionRequest.context as Partial<EdgeContext> | undefined)?.edge;
      if (!request) return;
      const { [REQUEST_ID_HEADER]: _requestId, ...mergeable } = edge.forwardHeaders(request);
      const extensions = executionRequest.extensions ?? {};
      setExecutionRequest({ ...executionRequest, extensions: { ...extensions, headers: { ...extensions.headers, ...mergeable } } });
    },
    onFetch({ context, options: fetchOptions }) {
      const request = (context as Partial<EdgeContext>).edge;
      if (!request) return;
      fetchOptions.headers = { ...fetchOptions.headers, [REQUEST_ID_HEADER]: request.requestId };
    },
    onResultProcess({ request, result, setResult }) {
      if (Array.isArray(result) || !('errors' in result) || !result.errors?.length) return;
      const requestId = established.get(request)?.requestId;
      const errors = result.errors.map((error: GraphQLError) => {
        const formatted = inOurTerms(error);
        if (!isPublicError(formatted)) options.logger.error({ requestId, path: error.path, error: error.originalError ?? error }, 'unexpected error');
        const masked = edge.maskError(formatted);
        const message =
          options.hideSchemaDetails && masked.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' ? masked.message.replace(/ ?Did you mean(.+?)\?$/, '') : masked.message;
        const status = statusOf(error) ?? (DOCUMENT_REFUSALS.has(String(masked.extensions?.code)) ? 400 : undefined);
        return new GraphQLError(message, {
          path: masked.path,
          extensions: { ...masked.extensions, ...(status === undefined ? {} : { http: { status } }) },
        });
      });
      setResult({ ...result, errors });
    },
  };
}
