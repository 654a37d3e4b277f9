import { randomBytes } from 'node:crypto';
import { bearer, postGraphql } from '@compliance-graph/testing';

/**
 * A random documentation address (2001:db8::/32): login throttling counts per address and the
 * test database outlives a run, so clients must not share addresses across tests or runs.
 */
export const randomClientAddress = () => `2001:db8::${randomBytes(6).toString('hex').match(/.{4}/g)!.join(':')}`;

/** A client of the gateway, as a frontend would be: one origin, a token, a client address. */
export function graphqlClient(gatewayUrl: string, clientIp = randomClientAddress()) {
  return async (query: string, variables: Record<string, unknown> = {}, token?: string) => {
    const headers = { 'x-forwarded-for': clientIp, ...(token ? bearer(token) : {}) };
    const answer = await postGraphql(`${gatewayUrl}/graphql`, { query, variables }, headers);
    return answer.body as { data?: any; errors?: Array<{ message: string; extensions: Record<string, unknown> }> };
  };
}

export const codeOf = (body: { errors?: Array<{ extensions: Record<string, unknown> }> }) => body.errors?.[0]?.extensions.code;
