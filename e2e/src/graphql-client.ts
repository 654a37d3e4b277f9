import { bearer, postGraphql } from '@compliance-graph/testing';

/** A client of the gateway, as a frontend would be: one origin, a token, a client address. */
export function graphqlClient(gatewayUrl: string, clientIp = `198.51.100.${1 + Math.floor(Math.random() * 250)}`) {
  return async (query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const headers = { 'x-forwarded-for': clientIp, ...(token ? bearer(token) : {}) };
    const answer = await postGraphql(`${gatewayUrl}/graphql`, { query, variables }, headers);
    return answer.body as { data?: any; errors?: Array<{ message: string; extensions: Record<string, unknown> }> };
  };
}

export const codeOf = (body: { errors?: Array<{ extensions: Record<string, unknown> }> }) => body.errors?.[0]?.extensions.code;
