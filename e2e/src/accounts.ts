import { randomUUID } from 'node:crypto';
import type { graphqlClient } from './graphql-client';

export const PASSWORD = 'correct horse battery staple';
/** The AuthPayload fields the specs read. */
export const AUTH = 'accessToken refreshToken role user { id email } tenant { id slug }';

export interface AuthPayload {
  accessToken: string;
  refreshToken: string;
  role: string;
  user: { id: string; email: string };
  tenant: { id: string; slug: string };
}

/** A short random suffix: the test database outlives a run, so slugs and emails must not repeat. */
export const unique = () => randomUUID().slice(0, 8);

/** A sign-up of a fresh tenant `name` and its OWNER, "<name> person". */
export const signUpInput = (name = 'Acme') => ({
  tenantName: name,
  tenantSlug: `${name.toLowerCase()}-${unique()}`,
  email: `owner-${unique()}@example.test`,
  password: PASSWORD,
  displayName: `${name} person`,
});

/** A fresh tenant and its OWNER, signed up through the gateway as a new customer would. */
export async function signUp(gql: ReturnType<typeof graphqlClient>, name = 'Acme'): Promise<AuthPayload> {
  const answer = await gql(`mutation ($input: SignUpInput!) { signUp(input: $input) { ${AUTH} } }`, { input: signUpInput(name) });
  if (!answer.data?.signUp) throw new Error(`sign-up failed: ${JSON.stringify(answer.errors)}`);
  return answer.data.signUp;
}

/** A member of the owner's tenant with `role`, joined through an invitation as a new person would. */
export async function joinTenant(gql: ReturnType<typeof graphqlClient>, ownerToken: string, role: string): Promise<AuthPayload> {
  const invited = await gql('mutation ($e: String!, $r: Role!) { inviteMember(email: $e, role: $r) { token } }', { e: `member-${unique()}@example.test`, r: role }, ownerToken);
  if (!invited.data?.inviteMember) throw new Error(`invitation failed: ${JSON.stringify(invited.errors)}`);
  const accepted = await gql(`mutation ($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { ${AUTH} } }`, {
    input: { token: invited.data.inviteMember.token, displayName: `${role} person`, password: PASSWORD },
  });
  if (!accepted.data?.acceptInvitation) throw new Error(`acceptance failed: ${JSON.stringify(accepted.errors)}`);
  return accepted.data.acceptInvitation;
}
