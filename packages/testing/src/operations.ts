import type { ApolloServer } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { Principal } from '@compliance-graph/auth';

/**
 * The part of a running subgraph (packages/federation) that in-process operations need;
 * named structurally so this package does not depend on the one it helps to test.
 */
export interface InProcessSubgraph {
  apollo: Pick<ApolloServer<any>, 'executeOperation'>;
  contextFor(input: { principal?: Principal; fromRouter?: boolean }): object;
}

export interface OperationResult<D = Record<string, any>> {
  data?: D | null;
  errors?: readonly GraphQLFormattedError[];
}

/** Runs an operation on one subgraph in process, with the context the HTTP path would build. */
export async function executeOnSubgraph<D = Record<string, any>>(
  subgraph: InProcessSubgraph,
  query: string,
  variables: Record<string, unknown> = {},
  context: { principal?: Principal; fromRouter?: boolean } = {},
): Promise<OperationResult<D>> {
  const response = await subgraph.apollo.executeOperation(
    { query, variables },
    { contextValue: subgraph.contextFor({ fromRouter: true, ...context }) },
  );
  if (response.body.kind !== 'single') throw new Error('incremental delivery is not used here');
  return response.body.singleResult as OperationResult<D>;
}

export interface HttpResult<B = any> {
  status: number;
  headers: Headers;
  body: B;
}

const REQUEST_TIMEOUT_MS = 30_000;

/** POSTs a GraphQL operation over real HTTP (to the gateway, or a subgraph with `headers`). */
export async function postGraphql<B = any>(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<HttpResult<B>> {
  const answer = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    // A request that hangs fails here, naming the URL, not as a test's timeout.
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  }).catch((error: Error) => {
    throw new Error(`POST ${url} failed: ${error.message}`, { cause: error });
  });
  const text = await answer.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: the raw text is what the caller asserts on.
  }
  return { status: answer.status, headers: answer.headers, body: parsed as B };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
