import { createHash, randomUUID } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { GraphQLError, getOperationAST, parse, specifiedRules, validate, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { Supergraph } from '@apollo/federation-internals';
import { z } from 'zod';
import { CodedError, ErrorCode, ROUTER_SECRET_HEADER, httpErrorBody, matchesSecret, unauthenticated } from '@compliance-graph/auth';
import type { Logger } from '@compliance-graph/config';
import { REQUEST_ID_HEADER, jsonBody, jsonErrorHandler } from '@compliance-graph/runtime';
import type { Edge } from './edge';

/**
 * The Router's external coprocessor protocol, version 1, as its coprocessor reference documents
 * it (apollographql.com/docs/graphos/routing/customization/coprocessor/reference) and
 * apollo-router's src/plugins/coprocessor reads it: header values are lists, the Router sends
 * `control: "continue"`, and an answer must echo `version` and `stage` (otherwise the Router fails
 * the request); returned headers replace the request's. Only the stages we check are accepted.
 */
const headerLists = z.record(z.string(), z.array(z.string()));
const stageRequest = { version: z.literal(1), id: z.string().min(1), headers: headerLists };
const coprocessorRequest = z.discriminatedUnion('stage', [
  z.object({ ...stageRequest, stage: z.literal('RouterRequest') }),
  z.object({
    ...stageRequest,
    stage: z.literal('SupergraphRequest'),
    body: z.object({
      query: z.string(),
      operationName: z.string().nullish(),
      variables: z.record(z.string(), z.unknown()).nullish(),
    }),
  }),
]);
type CoprocessorRequest = z.infer<typeof coprocessorRequest>;
type HeaderLists = z.infer<typeof headerLists>;

/** The headers the edge sets for the subgraphs: a client's own copies never pass. */
const EDGE_HEADERS = ['authorization', ROUTER_SECRET_HEADER, REQUEST_ID_HEADER, 'x-forwarded-for'];

export interface CoprocessorOptions {
  /** What the Router presents as the last segment of the coprocessor URL (it sends no header of its own). */
  secret: string;
  /** The edge's router secret: set at RouterRequest, so its presence at SupergraphRequest proves that stage ran. */
  routerSecret: string;
  /** The API schema clients query, for validation and cost. */
  schema: GraphQLSchema;
  maxBodyBytes: number;
  logger: Logger;
}

/** The API schema of a composed supergraph (its join and link machinery removed), built once at start. */
export const apiSchemaOf = (supergraphSdl: string): GraphQLSchema => Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();

const single = (headers: HeaderLists, name: string): string | undefined => headers[name]?.[0];

/** The HTTP status our gateway answers a refused request with. */
function statusOf(error: GraphQLError): number {
  const declared = (error.extensions?.http as { status?: number } | undefined)?.status;
  return declared ?? (error instanceof CodedError ? error.httpStatus : 400);
}

const documentRefusal = (code: string, message: string) => new GraphQLError(message, { extensions: { code, http: { status: 400 } } });

/** The document as our gateway would take it: within the token limit, valid against the API schema and the edge's structural limits. */
function resolveDocument(edge: Edge, schema: GraphQLSchema, query: string): DocumentNode {
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: edge.maxTokens });
  } catch (error) {
    throw documentRefusal('GRAPHQL_PARSE_FAILED', (error as Error).message);
  }
  const [invalid] = validate(schema, document, [...specifiedRules, ...edge.validationRules]);
  if (invalid) throw documentRefusal('GRAPHQL_VALIDATION_FAILED', invalid.message);
  return document;
}

/**
 * The edge as an Apollo Router coprocessor, the same checks at the Router's stages. RouterRequest:
 * the Authorization header is authenticated (an API key exchanged) and the request's headers are
 * replaced by the client's without the edge's own, plus the ones the subgraphs must get.
 * SupergraphRequest: the router secret set there proves that stage ran; the operation is checked
 * and a support session's operation recorded before the Router plans it.
 */
export function coprocessorRouter(edge: Edge, options: CoprocessorOptions): Router {
  async function answer(request: CoprocessorRequest): Promise<Record<string, unknown>> {
    const { headers } = request;
    if (request.stage === 'RouterRequest') {
      const credentials = await edge.authenticate(single(headers, 'authorization'));
      const clientIp = edge.forwardedClient(headers['x-forwarded-for']);
      // Behind its proxy the Router always has one: without it the deployment is not the one the README describes.
      if (!clientIp) throw new Error('the Router forwarded no X-Forwarded-For');
      const forwarded = edge.forwardHeaders({ ...credentials, clientIp, userAgent: single(headers, 'user-agent'), requestId: randomUUID() });
      const kept = Object.entries(headers).filter(([name]) => !EDGE_HEADERS.includes(name.toLowerCase()));
      return { headers: Object.fromEntries([...kept, ...Object.entries(forwarded).map(([name, value]) => [name, [value]])]) };
    }
    if (!matchesSecret(single(headers, ROUTER_SECRET_HEADER), options.routerSecret)) throw new Error('SupergraphRequest without the RouterRequest stage');
    const credentials = await edge.authenticate(single(headers, 'authorization'));
    const { query, operationName, variables } = request.body;
    const document = resolveDocument(edge, options.schema, query);
    const operation = getOperationAST(document, operationName);
    await edge.beforeOperation(
      credentials,
      { schema: options.schema, document, operation, operationName: operationName ?? operation?.name?.value ?? undefined, variables: variables ?? undefined },
      {
        documentHash: createHash('sha256').update(query).digest('hex'),
        clientIp: single(headers, 'x-forwarded-for') ?? '',
        userAgent: single(headers, 'user-agent'),
      },
    );
    return {};
  }

  function masked(error: GraphQLError): GraphQLFormattedError {
    const { http: _status, ...extensions } = error.toJSON().extensions ?? {};
    return edge.maskError({ ...error.toJSON(), extensions });
  }

  async function handle(req: Request, res: Response): Promise<void> {
    const parsed = coprocessorRequest.safeParse(req.body);
    if (!parsed.success) {
      // Any answer but a version-1 one for the same stage and id is a coprocessor failure to the Router: it fails the request.
      res.status(400).json(httpErrorBody(new CodedError(ErrorCode.BAD_REQUEST, 'not a version 1 RouterRequest or SupergraphRequest')));
      return;
    }
    const { version, stage, id } = parsed.data;
    try {
      res.json({ version, stage, id, control: 'continue', ...(await answer(parsed.data)) });
    } catch (error) {
      if (!(error instanceof GraphQLError)) {
        options.logger.error({ stage, id, error }, 'coprocessor failed');
        res.status(500).json(httpErrorBody(new CodedError(ErrorCode.INTERNAL_SERVER_ERROR)));
        return;
      }
      const body = { errors: [masked(error)] };
      // The Router reads a RouterRequest body as text (the client's raw request), a SupergraphRequest body as JSON.
      res.json({ version, stage, id, control: { break: statusOf(error) }, body: stage === 'RouterRequest' ? JSON.stringify(body) : body });
    }
  }

  const router = express.Router();
  // The Router sends no header of its own to a coprocessor: the secret is the URL's one path segment.
  router.use((req, res, next) => (matchesSecret(req.path.slice(1), options.secret) ? next() : res.status(401).json(httpErrorBody(unauthenticated()))));
  router.post('/:secret', jsonBody(options.maxBodyBytes), (req, res) => void handle(req, res));
  router.use(jsonErrorHandler);
  return router;
}
