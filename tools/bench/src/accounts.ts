import { randomBytes } from 'node:crypto';
import { readGraphql, type HttpAnswer, type HttpClient } from './http-client';

const SIGN_UP = 'mutation ($input: SignUpInput!) { signUp(input: $input) { accessToken } }';
/** What a frontend asks for after logging in; every field is identity's, so one subgraph fetch. */
const LOGIN = `mutation ($input: LoginInput!) {
  login(input: $input) { accessToken accessTokenExpiresAt refreshToken role user { id } tenant { id } }
}`;

/**
 * Signs up `count` tenants through the gateway, each with its OWNER, as a new customer would;
 * returns the body of each one's login request, serialised once up front.
 */
export async function signUpAccounts(client: HttpClient, count: number): Promise<string[]> {
  const run = randomBytes(4).toString('hex');
  const bodies: string[] = [];
  for (let i = 0; i < count; i++) {
    const account = { tenantSlug: `bench-${run}-${i}`, email: `owner-${i}@bench-${run}.example`, password: `bench password ${run} ${i}` };
    const input = { ...account, tenantName: `Bench ${i}`, displayName: `Bench owner ${i}` };
    const answer = await client.post(JSON.stringify({ query: SIGN_UP, variables: { input } }));
    const outcome = readGraphql<{ signUp?: { accessToken?: string } }>(answer);
    if (!outcome.data?.signUp?.accessToken) throw new Error(`signUp of ${account.tenantSlug}: ${outcome.error ?? 'no accessToken'}`);
    bodies.push(JSON.stringify({ query: LOGIN, variables: { input: account } }));
  }
  return bodies;
}

/** Undefined when a login answer carries an access token, else what went wrong. */
export function loginFailure(answer: HttpAnswer): string | undefined {
  const outcome = readGraphql<{ login?: { accessToken?: string } }>(answer);
  return outcome.error ?? (outcome.data?.login?.accessToken ? undefined : 'no accessToken in the answer');
}
