import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Kind, parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import type { Principal } from '@compliance-graph/auth';
import {
  TEST_ENCRYPTION_KEY,
  addMember,
  admin,
  closeAdmin,
  createTenant,
  executeOnSubgraph,
  migrateForTests,
  openSupportSession,
  principal,
  testDatabaseEnv,
  testKeys,
  type OperationResult,
} from '@compliance-graph/testing';
import { IDENTITY_SCHEMA, identityMigrations, identityRules, loadIdentityConfig, startIdentityService } from '../src';
import { CALLERS, OUTCOMES, PERMISSION_TABLE, PLACEHOLDERS, type Caller, type Outcome, type PermissionRow, type Placeholder } from './permission-table';

const ROUTER_SECRET = 'permission-table-router-secret-0123456789';
const PERMISSION_CODES = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'MFA_REQUIRED']);
const BUSINESS_CODES = new Set(['BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT']);
const FEDERATION_FIELDS = new Set(['_service', '_entities']);
const SIGN_UP = 'mutation ($input: SignUpInput!) { signUp(input: $input) { refreshToken } }';

type Path = readonly (string | number)[];
type Server = Awaited<ReturnType<typeof startIdentityService>>;

/** The response key of the operation's one root field. */
function rootFieldOf(document: string): string {
  const operation = parse(document).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const fields = (operation?.selectionSet.selections ?? []).filter((s): s is FieldNode => s.kind === Kind.FIELD);
  if (fields.length !== 1) throw new Error(`a permission row has exactly one root field: ${document}`);
  return fields[0].alias?.value ?? fields[0].name.value;
}

const isPrefix = (prefix: Path, of: Path) => prefix.length <= of.length && prefix.every((step, i) => step === of[i]);
const valueAt = (data: unknown, path: Path) =>
  path.reduce<unknown>((node, step) => (node == null ? node : (node as Record<string | number, unknown>)[step]), data);
const show = (path: Path | undefined) => (path ? path.join('.') : '(no path)');

/**
 * What the permission layer answered for a row (see the table's header for the vocabulary).
 * Anything the vocabulary does not cover comes back as `unexpected: ...`, so it fails the cell
 * with a reason instead of passing as something it is not.
 */
function outcomeOf(row: PermissionRow, result: OperationResult): Outcome | `unexpected: ${string}` {
  const object = row.object ?? [rootFieldOf(row.document)];
  const target = row.field ? [...object, row.field.split('.')[1]] : object;
  const errors = result.errors ?? [];
  const codeOf = (error: (typeof errors)[number]) => String(error.extensions?.code);

  for (const error of errors) {
    if (!error.path) return `unexpected: ${codeOf(error)} without a path (${error.message})`;
    if (!PERMISSION_CODES.has(codeOf(error)) && !BUSINESS_CODES.has(codeOf(error))) {
      return `unexpected: ${codeOf(error)} at ${show(error.path)} (${error.message})`;
    }
  }
  // At or above the object, or (for rows about the whole object) anywhere inside it.
  const aboutObject = errors
    .filter((e) => isPrefix(e.path!, object) || (!row.field && isPrefix(object, e.path!)))
    .sort((a, b) => a.path!.length - b.path!.length);
  const denial = aboutObject.find((e) => PERMISSION_CODES.has(codeOf(e)));
  if (denial) return codeOf(denial) as Outcome;
  if (aboutObject.length > 0) return 'allowed';

  const aboutField = errors.filter((e) => !aboutObject.includes(e));
  if (!row.field) {
    if (aboutField.length > 0) return `unexpected: ${codeOf(aboutField[0])} at ${show(aboutField[0].path)}`;
    return valueAt(result.data, object) == null ? 'null' : 'allowed';
  }
  if (valueAt(result.data, object) == null) {
    return aboutField.length > 0 ? `unexpected: object null with ${codeOf(aboutField[0])} at ${show(aboutField[0].path)}` : 'null';
  }
  const elsewhere = aboutField.find((e) => !isPrefix(target, e.path!));
  if (elsewhere) return `unexpected: ${codeOf(elsewhere)} at ${show(elsewhere.path)}`;
  const fieldDenial = aboutField.find((e) => codeOf(e) !== 'FORBIDDEN');
  if (fieldDenial) return codeOf(fieldDenial) as Outcome;
  return valueAt(result.data, target) == null ? 'hidden' : 'allowed';
}

describe('identity permission table (contract README, "Who may do what")', () => {
  let server: Server;
  const callers = {} as Record<Caller, Principal | undefined>;
  let fixture: { tenantId: string; slug: string; other: { userId: string; membershipId: string }; apiKeyId: string; accessReviewId: string };

  beforeAll(async () => {
    await migrateForTests({ schema: IDENTITY_SCHEMA, migrations: identityMigrations });
    server = await startIdentityService(
      loadIdentityConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'error',
        PORT: '0',
        ...testDatabaseEnv(IDENTITY_SCHEMA),
        DATABASE_POOL_SIZE: '4',
        ROUTER_SECRET,
        JWT_SIGNING_KEYS: (await testKeys()).signingKeysJson,
        ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
        // No audit service here: events stay in the outbox for a relay that has one.
        INTERNAL_SERVICE_TOKEN: 'permission-table-internal-token-0123456789',
        EVIDENCE_REPORT_TOKEN: 'permission-table-report-token-0123456789',
        OUTBOX_RELAY: 'off',
      }),
    );

    const home = await createTenant('Permission table');
    const foreign = await createTenant('Another tenant');
    const user = (role: Principal['role'], userId: string, overrides: Partial<Principal> = {}) =>
      principal(home.tenantId, role, { subjectId: userId, ...overrides });

    callers.anonymous = undefined;
    callers.OWNER = user('OWNER', home.owner.userId);
    for (const role of ['ADMIN', 'COMPLIANCE_MANAGER', 'AUDITOR', 'MEMBER', 'PARTNER'] as const) {
      callers[role] = user(role, (await addMember(home.tenantId, role)).userId);
    }
    callers.support = await openSupportSession(home.tenantId, 'ticket 1: permission table');
    callers.enrolment = user('OWNER', (await addMember(home.tenantId, 'OWNER', 'Owner without MFA')).userId, { scope: 'mfa_enrolment' });
    callers.foreignOwner = principal(foreign.tenantId, 'OWNER', { subjectId: foreign.owner.userId });

    // What the gateway's key exchange issues for a live key of the tenant (ApiKeyService.exchange).
    const apiKeyId = await createApiKey();
    callers.apiKey = user('AUDITOR', apiKeyId, { kind: 'API_KEY', sessionId: apiKeyId });

    // Each member caller signed in: the session row login writes (switchTenant derives from it).
    for (const caller of Object.values(callers)) {
      if (caller?.kind !== 'USER') continue;
      await admin().query(
        `INSERT INTO identity.sessions (id, tenant_id, user_id, mfa_passed, expires_at, kind) VALUES ($1, $2, $3, $4, now() + interval '1 hour', 'USER')`,
        [caller.sessionId, caller.tenantId, caller.subjectId, caller.mfa],
      );
    }

    const other = await addMember(home.tenantId, 'MEMBER', 'Other member');
    const accessReviewId = randomUUID();
    await admin().query(
      `INSERT INTO identity.access_reviews (id, tenant_id, title, created_by, due_at, scope_digest) VALUES ($1, $2, 'Q4 review', $3, now() + interval '14 days', $4)`,
      [accessReviewId, home.tenantId, home.owner.userId, '0'.repeat(64)],
    );
    fixture = { tenantId: home.tenantId, slug: home.slug, other: { userId: other.userId, membershipId: other.membershipId }, apiKeyId, accessReviewId };
    // Every User field a row reads has a value, so a null one means hidden.
    const userIds = [...Object.values(callers).flatMap((p) => (p && p.kind !== 'API_KEY' ? [p.subjectId] : [])), other.userId];
    await admin().query(`UPDATE identity.users SET last_login_at = now() WHERE id = ANY($1)`, [userIds]);
  });

  afterAll(async () => {
    await server?.stop();
    await closeAdmin();
  });

  /** The unused refresh token of a fresh sign-up (a tenant of its own, like every test's). */
  async function freshRefreshToken(): Promise<string> {
    const unique = randomUUID().slice(0, 8);
    const input = { tenantName: 'Refresh token source', tenantSlug: `refresh-${unique}`, email: `refresh-${unique}@example.test`, password: 'long enough password', displayName: 'Refresher' };
    const answer = await executeOnSubgraph(server, SIGN_UP, { input });
    if (!answer.data?.signUp) throw new Error(`sign-up for a refresh token failed: ${JSON.stringify(answer.errors)}`);
    return answer.data.signUp.refreshToken;
  }

  /** An AUDITOR API key of the tenant under test, made through the API by its OWNER. */
  async function createApiKey(): Promise<string> {
    const expiresAt = new Date(Date.now() + 30 * 86400_000).toISOString();
    const answer = await executeOnSubgraph(
      server,
      'mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id } } }',
      { input: { name: 'Permission table', role: 'AUDITOR', expiresAt } },
      { principal: callers.OWNER, fromRouter: true },
    );
    if (!answer.data?.createApiKey) throw new Error(`creating an API key failed: ${JSON.stringify(answer.errors)}`);
    return answer.data.createApiKey.apiKey.id;
  }

  async function fill(value: unknown): Promise<unknown> {
    if (Array.isArray(value)) return Promise.all(value.map(fill));
    if (value && typeof value === 'object') {
      return Object.fromEntries(await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await fill(v)])));
    }
    if (typeof value !== 'string' || !(PLACEHOLDERS as readonly string[]).includes(value)) return value;
    const placeholder = value as Placeholder;
    switch (placeholder) {
      case '<tenant>':
        return fixture.tenantId;
      case '<tenantSlug>':
        return fixture.slug;
      case '<other>':
        return fixture.other.userId;
      case '<otherMembership>':
        return fixture.other.membershipId;
      case '<apiKey>':
        return fixture.apiKeyId;
      case '<accessReview>':
        return fixture.accessReviewId;
      case '<randomId>':
        return randomUUID();
      case '<freshRefreshToken>':
        return freshRefreshToken();
    }
  }

  const cells = PERMISSION_TABLE.flatMap((row) =>
    CALLERS.map((caller) => [`${row.name} as ${caller} -> ${row.expect[caller]}`, { row, caller }] as const),
  );

  it.each(cells)('%s', async (_name, { row, caller }) => {
    const variables = (await fill(row.variables ?? {})) as Record<string, unknown>;
    const result = await executeOnSubgraph(server, row.document, variables, { principal: callers[caller], fromRouter: true });
    const outcome = outcomeOf(row, result);
    // The response is shown only when the cell fails.
    expect({ outcome, response: outcome === row.expect[caller] ? undefined : result }).toEqual({ outcome: row.expect[caller], response: undefined });
  });

  describe('the table itself', () => {
    const INTROSPECT = `{
      query: __type(name: "Query") { fields { name } }
      mutation: __type(name: "Mutation") { fields { name } }
      entity: __type(name: "_Entity") { possibleTypes { name } }
    }`;
    let schema: { query: string[]; mutation: string[]; entityTypes: string[] };

    beforeAll(async () => {
      const answer = await executeOnSubgraph(server, INTROSPECT, {}, { principal: callers.OWNER, fromRouter: true });
      if (answer.errors) throw new Error(JSON.stringify(answer.errors));
      const names = (fields: Array<{ name: string }> | undefined) => (fields ?? []).map((f) => f.name);
      schema = {
        query: names(answer.data!.query.fields),
        mutation: names(answer.data!.mutation?.fields),
        entityTypes: names(answer.data!.entity?.possibleTypes),
      };
    });

    it('has a row for every Query and Mutation field of the identity schema, and none for a field it lacks', () => {
      const rootFields = [...schema.query, ...schema.mutation].filter((f) => !FEDERATION_FIELDS.has(f)).sort();
      const covered = [...new Set(PERMISSION_TABLE.map((row) => parse(row.document)).flatMap(rootFieldNames))]
        .filter((f) => !FEDERATION_FIELDS.has(f))
        .sort();
      expect({ withoutRow: rootFields.filter((f) => !covered.includes(f)), notInSchema: covered.filter((f) => !rootFields.includes(f)) }).toEqual({
        withoutRow: [],
        notInSchema: [],
      });
    });

    it('has a row for every field-level rule of identityRules and for every entity type', () => {
      const fieldRules = Object.entries(identityRules)
        .filter(([type, rule]) => type !== 'Query' && type !== 'Mutation' && Object.getPrototypeOf(rule) === Object.prototype)
        .flatMap(([type, fields]) => Object.keys(fields as object).filter((f) => f !== '*').map((f) => `${type}.${f}`));
      const coveredFields = PERMISSION_TABLE.flatMap((row) => (row.field ? [row.field] : []));
      const coveredEntities = PERMISSION_TABLE.flatMap((row) =>
        ((row.variables?.representations ?? []) as Array<{ __typename: string }>).map((r) => r.__typename),
      );
      expect({
        fieldRulesWithoutRow: fieldRules.filter((f) => !coveredFields.includes(f)),
        entityTypesWithoutRow: schema.entityTypes.filter((t) => !coveredEntities.includes(t)),
      }).toEqual({ fieldRulesWithoutRow: [], entityTypesWithoutRow: [] });
    });

    it('names each row once and fills every cell with a known outcome', () => {
      const names = PERMISSION_TABLE.map((row) => row.name);
      expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
      for (const row of PERMISSION_TABLE) {
        expect(Object.keys(row.expect).sort()).toEqual([...CALLERS].sort());
        expect(Object.values(row.expect).filter((outcome) => !(OUTCOMES as readonly string[]).includes(outcome))).toEqual([]);
      }
    });
  });
});

function rootFieldNames(document: ReturnType<typeof parse>): string[] {
  return document.definitions
    .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
    .flatMap((operation) => operation.selectionSet.selections)
    .filter((s): s is FieldNode => s.kind === Kind.FIELD)
    .map((field) => field.name.value);
}
