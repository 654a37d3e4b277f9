import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { serviceRoles } from '@compliance-graph/db';
import { IDENTITY_SCHEMA } from '@compliance-graph/identity';
import type { GraphqlHttpClient } from './http-client';
import { readGraphql } from './http-client';

export interface BenchAccount {
  tenantSlug: string;
  email: string;
  password: string;
}

const SIGN_UP = 'mutation ($input: SignUpInput!) { signUp(input: $input) { accessToken tenant { id } } }';
/** What a frontend asks for after logging in; every field is identity's, so one subgraph fetch. */
const LOGIN = 'mutation ($input: LoginInput!) { login(input: $input) { accessToken accessTokenExpiresAt refreshToken role user { id } tenant { id } } }';
const SIGN_UPS_IN_FLIGHT = 4;

/** Signs up `count` tenants through the gateway, each with its OWNER, as a new customer would. */
export async function signUpAccounts(client: GraphqlHttpClient, count: number): Promise<BenchAccount[]> {
  const run = randomBytes(4).toString('hex');
  const accounts = Array.from({ length: count }, (_, i) => ({
    tenantSlug: `bench-${run}-${i}`,
    email: `owner-${i}@bench-${run}.example`,
    password: `bench password ${randomBytes(9).toString('base64url')}`,
  }));
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < accounts.length; i = next++) {
      const account = accounts[i];
      const input = { ...account, tenantName: `Bench ${i}`, displayName: `Bench owner ${i}` };
      const outcome = readGraphql<{ signUp?: { accessToken?: string } }>(
        await client.post(JSON.stringify({ query: SIGN_UP, variables: { input } })),
      );
      if (outcome.error || !outcome.data?.signUp?.accessToken) {
        throw new Error(`signUp of ${account.tenantSlug} through the gateway failed: ${outcome.error ?? 'no accessToken'}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SIGN_UPS_IN_FLIGHT, count) }, worker));
  return accounts;
}

/** The request bodies of the login loop, one per account, serialised once up front. */
export const loginBodies = (accounts: readonly BenchAccount[]) =>
  accounts.map(({ tenantSlug, email, password }) =>
    JSON.stringify({ query: LOGIN, variables: { input: { tenantSlug, email, password } } }),
  );

/**
 * The password hash identity stored for an account at sign-up: the argon2 measurement verifies
 * against exactly this, so it uses identity's parameters without repeating them here. Read as
 * the worker role (BYPASSRLS), which the migrations' login user is a member of.
 */
export async function storedPasswordHash(databaseUrl: string, email: string): Promise<string> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL ROLE ${serviceRoles(IDENTITY_SCHEMA).worker}`);
    const { rows } = await client.query<{ password_hash: string | null }>(
      `SELECT password_hash FROM ${IDENTITY_SCHEMA}.users WHERE email = $1`,
      [email],
    );
    await client.query('COMMIT');
    const hash = rows[0]?.password_hash;
    if (!hash) throw new Error(`identity stored no password hash for ${email}`);
    return hash;
  } finally {
    await client.end();
  }
}
