import { randomBytes } from 'node:crypto';
import { API_KEY_EXCHANGE, callInternalApi } from '@compliance-graph/internal-api';
import type { gatewayGraphql } from './gateway-graphql';
import type { SeededTenant } from './sql-seed';

/** Who sends a query: a tenant's user (its OWNER) or a partner with an API key. */
type Caller = 'user' | 'partner';

export interface MixQuery {
  name: string;
  caller: Caller;
  /** The one subgraph that answers it alone, where the bench can also ask that subgraph directly (variant d). */
  subgraph?: 'identity' | 'subprocessors';
  body: string;
}

const query = (name: string, caller: Caller, text: string, subgraph?: MixQuery['subgraph']): MixQuery => ({
  name,
  caller,
  subgraph,
  body: JSON.stringify({ query: text }),
});

/** What a frontend team and a partner send most, each the page a screen shows. */
export const READ_MIX: MixQuery[] = [
  query('members with users', 'user', '{ members(first: 50) { nodes { role user { id displayName email } } } }', 'identity'),
  query('audit events with actors', 'user', '{ auditEvents(first: 50) { nodes { id seq action occurredAt subjectType subjectId actor { id displayName } } } }'),
  query('members with audit trails', 'user', '{ members(first: 20) { nodes { id role user { displayName } auditTrail(first: 5) { nodes { action occurredAt actor { displayName } } } } } }'),
  query(
    'evidence with creators and trails',
    'user',
    '{ evidenceList(first: 20) { totalCount nodes { id title status validUntil createdBy { id displayName } auditTrail(first: 5) { nodes { action occurredAt actor { displayName } } } } } }',
  ),
  query('register for a partner', 'partner', '{ subprocessors { id name legalEntity purpose locations transferMechanism status activeFrom } }', 'subprocessors'),
];

/** One connection's credentials: what it sends the gateway, and the access token a subgraph reads from the gateway. */
export interface Session {
  credential: string;
  accessToken: string;
}

const LOGIN = 'mutation ($i: LoginInput!) { login(input: $i) { accessToken } }';
const CREATE_KEY = 'mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }';
const KEY_LIFETIME_MS = 7 * 86_400_000;

/**
 * `count` sessions of each caller, spread over the tenants: a login of the tenant's OWNER each
 * (a session of its own) and an API key with the PARTNER role each, with the access token the
 * gateway would trade it for (asked of identity as the gateway asks).
 */
export async function openSessions(
  graphql: ReturnType<typeof gatewayGraphql>,
  tenants: SeededTenant[],
  count: number,
  exchange: { identityUrl: string; routerSecret: string },
): Promise<Record<Caller, Session[]>> {
  const user: Session[] = [];
  const partner: Session[] = [];
  for (let i = 0; i < count; i++) {
    const tenant = tenants[i % tenants.length];
    const login = await graphql(LOGIN, { i: { tenantSlug: tenant.slug, email: tenant.ownerEmail, password: tenant.ownerPassword } });
    user.push({ credential: login.login.accessToken, accessToken: login.login.accessToken });
    const key = await graphql(
      CREATE_KEY,
      { i: { name: `Partner ${i} ${randomBytes(3).toString('hex')}`, role: 'PARTNER', expiresAt: new Date(Date.now() + KEY_LIFETIME_MS).toISOString() } },
      tenant.ownerToken,
    );
    const secret: string = key.createApiKey.secret;
    const issued = await callInternalApi(exchange.identityUrl, API_KEY_EXCHANGE, { bearer: secret, routerSecret: exchange.routerSecret });
    partner.push({ credential: secret, accessToken: issued.accessToken });
  }
  return { user, partner };
}
