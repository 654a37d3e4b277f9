import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Role } from '@compliance-graph/auth';
import { addMember, admin, bearer, createTenant, mintToken, openSupportSession, postGraphql, principal, signIn, type TestMember } from '@compliance-graph/testing';
import { recordedAccessReview } from '../access-reviews';
import { insertEvidence } from '../fixtures';
import type { PrincipalName } from './expectations';

/** The rows of one tenant the matrix names, and every string of them that must not reach another tenant. */
export interface SeededTenant {
  tenantId: string;
  slug: string;
  owner: TestMember;
  /** A MEMBER who is none of the principals, with an email and a last sign-in (mfaEnabled false): every User field has a value. */
  member: TestMember;
  apiKeyIds: Record<'PARTNER' | 'AUDITOR' | 'MEMBER', string>;
  apiKeySecrets: Record<'PARTNER' | 'AUDITOR' | 'MEMBER', string>;
  evidenceId: string;
  /** A sealed proofpack of an APPROVED item, made through the graph. */
  proofpackId: string;
  subprocessorId: string;
  /** An ANNOUNCED change (an update) of that entry. */
  subprocessorChangeId: string;
  auditEventId: string;
  /** A review whose report evidence recorded (through identity's outbox, as the platform does). */
  accessReviewId: string;
  accessReviewItemId: string;
  /** Ids, names, emails and slugs of the tenant's rows. */
  bytes: string[];
}

export interface MatrixFixture {
  home: SeededTenant;
  foreign: SeededTenant;
  /** The Authorization header value each principal presents at the gateway (an API key is presented as is). */
  gatewayCredential: Record<PrincipalName, string | undefined>;
  /** The access token each principal's request carries from the gateway to a subgraph. */
  subgraphToken: Record<PrincipalName, string | undefined>;
  /** Unused refresh tokens of fresh sign-ups, one per cell that spends one. */
  freshRefreshTokens: string[];
}

const KEY_ROLES = ['PARTNER', 'AUDITOR', 'MEMBER'] as const;
const tag = () => randomUUID().slice(0, 8);

async function graphqlAs(gatewayUrl: string, token: string, query: string, variables: Record<string, unknown> = {}) {
  const answer = await postGraphql(`${gatewayUrl}/graphql`, { query, variables }, bearer(token));
  if (answer.body.errors) throw new Error(`${query}: ${JSON.stringify(answer.body.errors)}`);
  return answer.body.data;
}

/**
 * A tenant with a row of every kind the matrix names, written the way the platform writes
 * them where an API exists (API keys through the gateway, which also fills the audit log) and
 * directly where the subgraph has no mutation yet (evidence), and an access
 * review's report through identity's outbox, with a message the fixture enqueues as identity will.
 */
async function seedTenant(gatewayUrl: string, label: string): Promise<SeededTenant> {
  const tenant = await createTenant(`Isolation ${label} ${tag()}`);
  const { token: ownerToken } = await signIn(tenant.tenantId, tenant.owner);
  const member = await addMember(tenant.tenantId, 'MEMBER', `${label} member ${tag()}`);
  await admin().query(`UPDATE identity.users SET last_login_at = now() WHERE id = $1`, [member.userId]);

  const apiKeyIds = {} as SeededTenant['apiKeyIds'];
  const apiKeySecrets = {} as SeededTenant['apiKeySecrets'];
  const expiresAt = new Date(Date.now() + 30 * 86400_000).toISOString();
  for (const role of KEY_ROLES) {
    const data = await graphqlAs(
      gatewayUrl,
      ownerToken,
      'mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id } secret } }',
      { input: { name: `${label} ${role} key ${tag()}`, role, expiresAt } },
    );
    apiKeyIds[role] = data.createApiKey.apiKey.id;
    apiKeySecrets[role] = data.createApiKey.secret;
  }
  const evidenceId = await insertEvidence(tenant.tenantId, member.userId, `${label} evidence ${tag()}`);
  const proofpackId = await sealedProofpack(gatewayUrl, ownerToken, (await signIn(tenant.tenantId, member)).token, label);
  const { subprocessorId, subprocessorChangeId } = await registerEntry(gatewayUrl, ownerToken, label);
  const auditEventId = await firstAuditEvent(gatewayUrl, ownerToken, tenant.tenantId);
  const review = await graphqlAs(gatewayUrl, ownerToken, 'mutation ($t: String!, $d: DateTime!) { startAccessReview(title: $t, dueAt: $d) { id items(first: 1) { nodes { id } } } }', {
    t: `${label} access review ${tag()}`,
    d: new Date(Date.now() + 14 * 86400_000).toISOString(),
  });
  const accessReviewId = await recordedAccessReview(tenant.tenantId, tenant.owner.userId, review.startAccessReview.id);
  const accessReviewItemId = review.startAccessReview.items.nodes[0].id;

  const { rows } = await admin().query<{ value: string }>(
    `SELECT unnest(ARRAY[t.id::text, t.slug, t.name]) AS value FROM identity.tenants t WHERE t.id = $1
     UNION SELECT unnest(ARRAY[u.id::text, u.email, u.display_name, m.id::text]) FROM identity.memberships m JOIN identity.users u ON u.id = m.user_id WHERE m.tenant_id = $1
     UNION SELECT unnest(ARRAY[k.id::text, k.name]) FROM identity.api_keys k WHERE k.tenant_id = $1
     UNION SELECT unnest(ARRAY[e.id::text, e.title]) FROM evidence.evidence e WHERE e.tenant_id = $1
     UNION SELECT unnest(ARRAY[p.id::text, p.title]) FROM evidence.proofpacks p WHERE p.tenant_id = $1
     UNION SELECT unnest(ARRAY[r.id::text, r.title]) FROM identity.access_reviews r WHERE r.tenant_id = $1
     UNION SELECT i.id::text FROM identity.access_review_items i WHERE i.tenant_id = $1
     UNION SELECT s.id::text FROM subprocessors.subprocessors s WHERE s.tenant_id = $1
     UNION SELECT unnest(ARRAY[c.id::text, c.after->>'name', c.after->>'purpose']) FROM subprocessors.changes c WHERE c.tenant_id = $1 AND c.after IS NOT NULL
     UNION SELECT a.id::text FROM audit.events a WHERE a.tenant_id = $1
     UNION SELECT r.review_id::text FROM evidence.access_review_reports r WHERE r.tenant_id = $1`,
    [tenant.tenantId],
  );
  return { ...tenant, member, apiKeyIds, apiKeySecrets, evidenceId, proofpackId, subprocessorId, subprocessorChangeId, auditEventId, accessReviewId, accessReviewItemId, bytes: rows.map((r) => r.value) };
}

/**
 * An entry of the register as a tenant loads its initial one (notice 0, effective at once), and
 * an update of it announced for later: an ANNOUNCED change the mutations' probes can name.
 */
async function registerEntry(gatewayUrl: string, ownerToken: string, label: string): Promise<{ subprocessorId: string; subprocessorChangeId: string }> {
  await graphqlAs(gatewayUrl, ownerToken, 'mutation { updateTenantSettings(input: { subprocessorNoticeDays: 0 }) { id } }');
  const entry = (purpose: string) => ({
    name: `${label} subprocessor ${tag()}`,
    purpose,
    dataCategories: ['contact data'],
    locations: ['DE'],
    transferMechanism: 'SCC',
  });
  const announce = 'mutation ($input: AnnounceChangeInput!) { announceSubprocessorChange(input: $input) { id subprocessor { id } } }';
  const added = await graphqlAs(gatewayUrl, ownerToken, announce, { input: { kind: 'ADDED', entry: entry(`${label} hosting ${tag()}`), effectiveAt: new Date().toISOString() } });
  const subprocessorId = added.announceSubprocessorChange.subprocessor.id;
  const updated = await graphqlAs(gatewayUrl, ownerToken, announce, {
    input: { kind: 'UPDATED', subprocessorId, entry: entry(`${label} hosting ${tag()}`), effectiveAt: new Date(Date.now() + 30 * 86400_000).toISOString() },
  });
  return { subprocessorId, subprocessorChangeId: updated.announceSubprocessorChange.id };
}

/**
 * A proofpack sealed as a tenant seals one: the member records an item and submits it, the
 * owner approves it, packs and seals it (once the audit log has appended its history).
 */
async function sealedProofpack(gatewayUrl: string, ownerToken: string, memberToken: string, label: string): Promise<string> {
  const created = await graphqlAs(
    gatewayUrl,
    memberToken,
    `mutation ($title: String!) { createEvidence(input: { title: $title, controlRefs: ["SOC2:CC6.1"], sourceKind: MANUAL,
       sourceRef: "Signed minutes", collectedAt: "2026-01-01T00:00:00Z" }) { id } }`,
    { title: `${label} packed evidence ${tag()}` },
  );
  const evidenceId = created.createEvidence.id;
  await graphqlAs(gatewayUrl, memberToken, 'mutation ($id: ID!) { submitEvidence(id: $id) { id } }', { id: evidenceId });
  await graphqlAs(gatewayUrl, ownerToken, 'mutation ($id: ID!) { decideEvidence(id: $id, decision: APPROVE, rationale: "complete") { id } }', { id: evidenceId });
  const pack = await graphqlAs(gatewayUrl, ownerToken, 'mutation ($title: String!, $ids: [ID!]!) { createProofpack(title: $title, evidenceIds: $ids) { id } }', {
    title: `${label} proofpack ${tag()}`,
    ids: [evidenceId],
  });
  await graphqlAs(gatewayUrl, ownerToken, 'mutation ($id: ID!) { sealProofpack(id: $id) { status } }', { id: pack.createProofpack.id });
  return pack.createProofpack.id;
}

/** The tenant's first audit event, once identity's relay has delivered the key creations. */
async function firstAuditEvent(gatewayUrl: string, ownerToken: string, tenantId: string): Promise<string> {
  const deadline = Date.now() + AUDIT_DELIVERY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const data = await graphqlAs(gatewayUrl, ownerToken, '{ auditEvents(first: 1) { nodes { id } } }');
    if (data.auditEvents.nodes.length) return data.auditEvents.nodes[0].id;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const { rows } = await admin().query(
    `SELECT count(*)::int AS pending, max(attempts) AS attempts, max(last_error) AS last_error FROM identity.outbox WHERE tenant_id = $1 AND delivered_at IS NULL`,
    [tenantId],
  );
  throw new Error(`no audit event of the tenant arrived within ${AUDIT_DELIVERY_TIMEOUT_MS / 1000} s: ${JSON.stringify(rows[0])}`);
}

const AUDIT_DELIVERY_TIMEOUT_MS = 30_000;

/** Every principal of the matrix, each with a live session where it has one. */
export async function buildMatrixFixture(gatewayUrl: string): Promise<MatrixFixture> {
  const home = await seedTenant(gatewayUrl, 'home');
  const foreign = await seedTenant(gatewayUrl, 'foreign');
  const gatewayCredential = {} as MatrixFixture['gatewayCredential'];
  const subgraphToken = {} as MatrixFixture['subgraphToken'];
  const useToken = (name: PrincipalName, token: string) => {
    gatewayCredential[name] = `Bearer ${token}`;
    subgraphToken[name] = token;
  };

  gatewayCredential.anonymous = undefined;
  subgraphToken.anonymous = undefined;
  useToken('OWNER', (await signIn(home.tenantId, home.owner)).token);
  for (const role of ['ADMIN', 'COMPLIANCE_MANAGER', 'AUDITOR', 'MEMBER', 'PARTNER'] as const) {
    useToken(role, (await signIn(home.tenantId, await addMember(home.tenantId, role))).token);
  }
  // Presented as keys at the gateway (which exchanges them); a subgraph sees what the exchange issues.
  for (const role of KEY_ROLES) {
    gatewayCredential[`key:${role}`] = `Bearer ${home.apiKeySecrets[role]}`;
    const keyId = home.apiKeyIds[role];
    subgraphToken[`key:${role}`] = await mintToken(principal(home.tenantId, role as Role, { kind: 'API_KEY', subjectId: keyId, sessionId: keyId }));
  }
  useToken('support', await mintToken(await openSupportSession(home.tenantId, 'ticket 1: isolation matrix')));
  // The tenant enforces MFA: a member without it signs in to an enrolment-only token.
  await admin().query(`UPDATE identity.tenants SET mfa_required = true WHERE id = $1`, [home.tenantId]);
  const withoutMfa = await addMember(home.tenantId, 'OWNER', 'Owner without MFA');
  useToken('enrolment', (await signIn(home.tenantId, withoutMfa, { scope: 'mfa_enrolment' })).token);
  const leaving = await addMember(home.tenantId, 'ADMIN', 'Admin who left');
  useToken('revoked', (await signIn(home.tenantId, leaving)).token);
  await admin().query(`UPDATE identity.memberships SET revoked_at = now(), revoked_reason = 'left' WHERE id = $1`, [leaving.membershipId]);
  useToken('expired', await expiredToken(home.tenantId, home.owner));
  useToken('foreignOwner', (await signIn(foreign.tenantId, foreign.owner)).token);
  return { home, foreign, gatewayCredential, subgraphToken, freshRefreshTokens: await freshRefreshTokens(FRESH_REFRESH_TOKENS) };
}

/** Enough for every cell that spends one (two rows, each principal, two paths; the combined operations) with room. */
const FRESH_REFRESH_TOKENS = 200;

/**
 * Unused refresh tokens, each of its own live session of a throwaway tenant's OWNER, written as
 * login writes them (only the SHA-256 is stored): a sign-up per token would cost an argon2 hash each.
 */
async function freshRefreshTokens(count: number): Promise<string[]> {
  const tenant = await createTenant('Refresh tokens');
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const { sessionId } = await signIn(tenant.tenantId, tenant.owner);
    const token = `cgr_${randomBytes(32).toString('base64url')}`;
    await admin().query(
      `INSERT INTO identity.refresh_tokens (id, tenant_id, session_id, token_hash, expires_at) VALUES ($1, $2, $3, $4, now() + interval '1 day')`,
      [randomUUID(), tenant.tenantId, sessionId, createHash('sha256').update(token).digest()],
    );
    tokens.push(token);
  }
  return tokens;
}

/** A token of a live session whose expiry has passed. */
async function expiredToken(tenantId: string, owner: TestMember): Promise<string> {
  const { sessionId } = await signIn(tenantId, owner);
  return mintToken(principal(tenantId, 'OWNER', { subjectId: owner.userId, sessionId }), -3600);
}
