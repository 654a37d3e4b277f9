import type { IncomingMessage } from 'node:http';
import type { DocumentNode, GraphQLFormattedError, GraphQLSchema, OperationDefinitionNode, ValidationRule } from 'graphql';
import { VERIFIED_TOKEN_CACHE, createAccessTokenVerifier, remoteKeySet } from '@compliance-graph/auth';
import { assertPrincipalChangeAlone, maskError } from '@compliance-graph/federation';
import { ApiKeyExchange } from './api-key-exchange';
import { clientAddress, forwardedClient } from './client-address';
import { subgraphUrls, type EdgeConfig } from './config';
import { authenticateAtEdge, type EdgeAuthentication, type EdgeCredentials } from './edge-auth';
import { forwardHeaders, type ForwardedRequest } from './forward-headers';
import { assertWithinCost, limitValidationRules } from './operation-limits';
import { SessionCheck } from './session-check';
import { SupportRequestLog, type SupportRequest } from './support-request-log';

/** An operation once it is parsed and validated, as any gateway knows it before planning. */
export interface ResolvedOperation {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode | null | undefined;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
}

/**
 * The edge checks behind one gateway-neutral interface, so each gateway's adapter only calls
 * them at its own hooks: our Apollo gateway and the Hive Gateway plugin run exactly these.
 */
export interface Edge {
  /** Part of EdgeAuthentication, for the routes that are not GraphQL (the support log among them). */
  authentication: EdgeAuthentication;
  /**
   * Before any parsing or planning: no header is an anonymous caller; an API key is exchanged; a
   * bad, expired or revoked credential throws UNAUTHENTICATED (a CodedError, 401).
   */
  authenticate(authorization: string | undefined): Promise<EdgeCredentials>;
  /** Structural limits, for the gateway's validation. */
  validationRules: ValidationRule[];
  /** The parser's token limit (over it: GRAPHQL_PARSE_FAILED). */
  maxTokens: number;
  /**
   * Once the operation is resolved, before it is planned: refuses a principal-changing mutation
   * beside other fields and an operation over the cost limit (coded 400s), then records a support
   * session's operation in the visited tenant's log (failing closed when it cannot).
   */
  beforeOperation(credentials: EdgeCredentials, resolved: ResolvedOperation, request: Omit<SupportRequest, 'operation'>): Promise<void>;
  /** The client's address as we determine it (never the client's own X-Forwarded-For). */
  clientAddress(req: IncomingMessage): string;
  /** The client's address from an X-Forwarded-For chain a trusted proxy extended (for gateways that do not hand us their socket). */
  forwardedClient(forwardedFor: string | string[] | undefined): string | undefined;
  /** Exactly the headers a subgraph gets. */
  forwardHeaders(request: ForwardedRequest): Record<string, string>;
  /** What a client may see of an error: coded errors as they are, anything else INTERNAL_SERVER_ERROR. */
  maskError(formatted: GraphQLFormattedError): GraphQLFormattedError;
  subgraphUrls: Record<string, string>;
}

export function createEdge(config: EdgeConfig): Edge {
  const urls = subgraphUrls(config);
  const authentication: EdgeAuthentication = {
    verifyAccessToken: createAccessTokenVerifier(
      remoteKeySet(`${urls.identity}/.well-known/jwks.json`),
      { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE },
      { cache: VERIFIED_TOKEN_CACHE },
    ),
    sessions: new SessionCheck(urls.identity, config.ROUTER_SECRET, config.SESSION_CHECK_TTL_MS),
    apiKeys: new ApiKeyExchange(urls.identity, config.ROUTER_SECRET),
    supportRequests: new SupportRequestLog(urls.identity, config.ROUTER_SECRET),
  };
  return {
    authentication,
    authenticate: (authorization) => authenticateAtEdge(authorization, authentication),
    validationRules: limitValidationRules(config),
    maxTokens: config.MAX_TOKENS,
    async beforeOperation(credentials, resolved, request) {
      assertPrincipalChangeAlone(resolved.document, resolved.operation);
      assertWithinCost(config.MAX_COST, resolved.schema, resolved.document, resolved.variables, resolved.operationName);
      if (!credentials.token) return;
      await authentication.supportRequests.record(credentials.token, credentials.principal, {
        ...request,
        operation: `graphql ${resolved.operationName ?? 'anonymous'}`,
      });
    },
    clientAddress: (req) => clientAddress(req, config.TRUSTED_PROXIES),
    forwardedClient: (forwardedFor) => forwardedClient(forwardedFor, config.TRUSTED_PROXIES),
    forwardHeaders: (request) => forwardHeaders(request, config.ROUTER_SECRET),
    maskError,
    subgraphUrls: urls,
  };
}
