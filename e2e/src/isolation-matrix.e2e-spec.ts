import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ROUTER_SECRET_HEADER } from '@compliance-graph/auth';
import { PROXIED_ROUTES } from '@compliance-graph/gateway';
import { closeAdmin, postGraphql, type HttpResult } from '@compliance-graph/testing';
import { ROUTER_SECRET, startStack, SUPERGRAPH, type Stack } from './stack';
import { supergraphCoordinates, type Coordinate } from './isolation/coordinates';
import {
  PRINCIPALS,
  expectedAtRoot,
  expectedThroughEntities,
  expectedThroughGateway,
  expectedStatus,
  type Outcome,
  type PrincipalName,
} from './isolation/expectations';
import { buildMatrixFixture, type MatrixFixture } from './isolation/fixture';
import { agrees, leakedBytes, observe } from './isolation/observe';
import { ENTITY_POLICY, FIELD_POLICY, ROOT_POLICY, ROUTE_POLICY, type EntityAccess } from './isolation/policy';
import { combineOperations, withFragment } from './isolation/operations';
import { recordFigures } from './isolation/figures';

/**
 * The isolation matrix: every coordinate of the composed supergraph (isolation-coverage.spec.ts
 * holds the table to it) for every principal over every access path, each cell's expectation
 * derived from the policy table, plus the gateway's routes and multi-field operations. A cell
 * that differs names the coordinate, the principal and the path. Every cell of the OWNER of
 * another tenant also checks that no id, name, email or slug of the tenant under test appears
 * anywhere in the answer.
 */
const { coordinates } = supergraphCoordinates(readFileSync(SUPERGRAPH, 'utf8'));
const roots = coordinates.filter((c) => c.kind !== 'entity-field');
const entityFields = coordinates.filter((c) => c.kind === 'entity-field');

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

describe('isolation matrix', () => {
  let stack: Stack;
  let fixture: MatrixFixture;
  const figures = { cellsChecked: 0, cellsWrong: 0, foreignCellsChecked: 0, operationsTried: 0, operationsWrong: 0 };

  beforeAll(async () => {
    stack = await startStack();
    fixture = await buildMatrixFixture(stack.gatewayUrl);
  }, 240_000);
  afterAll(async () => {
    recordFigures('isolation-matrix', figures);
    await stack?.stop();
    await closeAdmin();
  });

  /** Placeholders of the policy table, for one principal (see policy.ts). */
  const placeholders = (principal: PrincipalName): Record<string, string> => {
    const { home } = fixture;
    const foreignCaller = principal === 'foreignOwner';
    return {
      '<tenant>': home.tenantId,
      '<tenantSlug>': home.slug,
      '<member>': home.member.userId,
      '<membership>': home.member.membershipId,
      '<apiKey>': home.apiKeyIds.PARTNER,
      '<evidence>': home.evidenceId,
      '<auditEvent>': home.auditEventId,
      '<subprocessor>': home.subprocessorId,
      '<accessReview>': home.accessReviewId,
      '<accessReviewItem>': home.accessReviewItemId,
      '<targetAccessReview>': foreignCaller ? home.accessReviewId : randomUUID(),
      '<targetAccessReviewItem>': foreignCaller ? home.accessReviewItemId : randomUUID(),
      '<randomId>': randomUUID(),
      '<targetMembership>': foreignCaller ? home.member.membershipId : randomUUID(),
      '<targetApiKey>': foreignCaller ? home.apiKeyIds.PARTNER : randomUUID(),
      '<targetEvidence>': foreignCaller ? home.evidenceId : randomUUID(),
      '<proofpack>': home.proofpackId,
      '<targetProofpack>': foreignCaller ? home.proofpackId : randomUUID(),
      '<subprocessorChange>': home.subprocessorChangeId,
      '<targetSubprocessor>': foreignCaller ? home.subprocessorId : randomUUID(),
      '<targetSubprocessorChange>': foreignCaller ? home.subprocessorChangeId : randomUUID(),
    };
  };
  const freshRefreshToken = () => {
    const token = fixture.freshRefreshTokens.pop();
    if (!token) throw new Error('the fixture ran out of fresh refresh tokens: make more');
    return token;
  };
  const resolve = (value: Json | undefined, values: Record<string, string>): Json | undefined => {
    if (value === '<freshRefreshToken>') return freshRefreshToken();
    if (typeof value === 'string') return values[value] ?? value;
    if (Array.isArray(value)) return value.map((v) => resolve(v, values)!);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, values)!]));
    return value;
  };

  const viaGateway = (principal: PrincipalName, query: string, variables: Json | undefined) => {
    const credential = fixture.gatewayCredential[principal];
    return postGraphql(`${stack.gatewayUrl}/graphql`, { query, variables }, credential ? { authorization: credential } : {});
  };
  const toSubgraph = (subgraph: string, principal: PrincipalName, query: string, variables: Json | undefined, withSecret: boolean) => {
    const token = fixture.subgraphToken[principal];
    const headers: Record<string, string> = withSecret ? { [ROUTER_SECRET_HEADER]: ROUTER_SECRET } : {};
    if (token) headers.authorization = `Bearer ${token}`;
    return postGraphql(`${stack.subgraphUrls[subgraph as keyof Stack['subgraphUrls']]}/graphql`, { query, variables }, headers);
  };

  /** One cell: the observed outcome against the expected one, and for the foreign OWNER no byte of the tenant under test. */
  const check = (mismatches: string[], cell: string, principal: PrincipalName, expected: Outcome, observed: Outcome, answer: HttpResult, echoed: string[]) => {
    const before = mismatches.length;
    figures.cellsChecked++;
    if (principal === 'foreignOwner') figures.foreignCellsChecked++;
    if (!agrees(expected, observed)) mismatches.push(`${cell} as ${principal}: expected ${expected}, got ${observed} ${JSON.stringify(answer.body).slice(0, 300)}`);
    if (principal === 'foreignOwner') {
      const leaked = leakedBytes(answer, fixture.home.bytes, echoed);
      if (leaked.length) mismatches.push(`${cell} as ${principal}: the other tenant's ${leaked.join(', ')} in ${JSON.stringify(answer.body).slice(0, 300)}`);
    }
    if (mismatches.length > before) figures.cellsWrong++;
  };
  /** The strings the caller sent itself: an answer may repeat them without leaking anything. */
  const echoedBy = (variables: Json | undefined): string[] =>
    typeof variables === 'string' ? [variables] : variables && typeof variables === 'object' ? Object.values(variables).flatMap(echoedBy) : [];

  describe('root fields', () => {
    it.each(roots.map((c) => [c.name, c] as const))('%s', async (_name, coordinate: Coordinate) => {
      const policy = ROOT_POLICY[coordinate.name];
      const mismatches: string[] = [];
      await Promise.all(
        PRINCIPALS.map(async (principal) => {
          const variables = resolve(policy.variables, placeholders(principal));
          const expected = expectedAtRoot(coordinate.name, policy, principal);
          const gateway = await viaGateway(principal, policy.probe, variables);
          check(mismatches, `${coordinate.name} through the gateway`, principal, expected, observe(gateway, [coordinate.field]), gateway, echoedBy(variables));
          if (principal !== 'revoked') {
            // Resolved again: a fresh refresh token is spent by the first call.
            const again = resolve(policy.variables, placeholders(principal));
            const direct = await toSubgraph(coordinate.subgraph, principal, policy.probe, again, true);
            check(mismatches, `${coordinate.name} at ${coordinate.subgraph} with the router secret`, principal, expected, observe(direct, [coordinate.field]), direct, echoedBy(again));
          }
          const unvouched = await toSubgraph(coordinate.subgraph, principal, policy.probe, variables, false);
          check(mismatches, `${coordinate.name} at ${coordinate.subgraph} without the router secret`, principal, 'REFUSED', observe(unvouched, [coordinate.field]), unvouched, []);
        }),
      );
      expect(mismatches).toEqual([]);
    });
  });

  describe('entity fields', () => {
    it.each(entityFields.map((c) => [c.name, c] as const))('%s', async (_name, coordinate: Coordinate) => {
      const type = ENTITY_POLICY[coordinate.type];
      const who = FIELD_POLICY[coordinate.name];
      const field = { name: coordinate.field, hasRule: who !== 'parent' };
      const selection = coordinate.selection;
      const mismatches: string[] = [];
      const through = async (label: string, access: EntityAccess, principal: PrincipalName, document: string) => {
        const variables = resolve(access.variables, placeholders(principal));
        const rootPolicy = ROOT_POLICY[access.root];
        const through = (access.through ?? []).map((name) => FIELD_POLICY[name]);
        const expected = expectedThroughGateway(expectedAtRoot(access.root, rootPolicy, principal), who, principal, through);
        const answer = await viaGateway(principal, document, variables);
        check(mismatches, `${coordinate.name} ${label}`, principal, expected, observe(answer, access.object, field), answer, echoedBy(variables));
      };
      await Promise.all(
        PRINCIPALS.map(async (principal) => {
          await through(`through the gateway from ${type.direct.root}`, type.direct, principal, type.direct.document.replace('%s', selection));
          await through(`through a fragment from ${type.direct.root}`, type.direct, principal, withFragment(type.direct.document, coordinate.type, selection));
          if (type.nested) await through(`nested from ${type.nested.root}`, type.nested, principal, type.nested.document.replace('%s', selection));

          const key = placeholders(principal)[type.representation];
          const representation = { __typename: coordinate.type, [type.key ?? 'id']: key };
          const entities = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on ${coordinate.type} { ${selection} } } }`;
          const fromStub = coordinate.subgraph !== coordinate.owner && !type.tenantRowIn?.includes(coordinate.subgraph);
          const expected = expectedThroughEntities(who, principal, fromStub, type.entities);
          if (expected) {
            const direct = await toSubgraph(coordinate.subgraph, principal, entities, { r: [representation] }, true);
            check(mismatches, `${coordinate.name} by _entities at ${coordinate.subgraph}`, principal, expected, observe(direct, ['_entities', 0], field), direct, [key]);
          }
          const unvouched = await toSubgraph(coordinate.subgraph, principal, entities, { r: [representation] }, false);
          check(mismatches, `${coordinate.name} by _entities without the router secret`, principal, 'REFUSED', observe(unvouched, ['_entities', 0]), unvouched, []);
        }),
      );
      expect(mismatches).toEqual([]);
    });
  });

  describe('routes', () => {
    it('has a policy row for every route the gateway serves, and none for a route it does not', () => {
      expect(Object.keys(ROUTE_POLICY).sort()).toEqual(stack.gatewayRoutes);
    });

    it.each(Object.entries(ROUTE_POLICY).filter(([, policy]) => policy.who !== 'graphql'))('%s', async (route, policy) => {
      const checkedAtEdge = PROXIED_ROUTES.some((proxied) => !proxied.public && `${proxied.method.toUpperCase()} ${proxied.path}` === route);
      const mismatches: string[] = [];
      await Promise.all(
        PRINCIPALS.map(async (principal) => {
          const credential = fixture.gatewayCredential[principal];
          const headers: Record<string, string> = { ...policy.probe.headers, ...(credential ? { authorization: credential } : {}) };
          if (policy.probe.contentType) headers['content-type'] = policy.probe.contentType;
          const path = policy.probe.path.replace('<tenantSlug>', fixture.home.slug).replace('<proofpack>', fixture.home.proofpackId);
          const answer = await fetch(`${stack.gatewayUrl}${path}`, {
            method: policy.probe.method,
            headers,
            body: policy.probe.body,
          });
          const text = await answer.text();
          const expected = expectedStatus(policy, principal, checkedAtEdge);
          figures.cellsChecked++;
          if (answer.status !== expected) figures.cellsWrong++;
          if (answer.status !== expected) mismatches.push(`${route} as ${principal}: expected HTTP ${expected}, got ${answer.status} ${text.slice(0, 200)}`);
          if (principal === 'foreignOwner') {
            // A path that names the slug may echo it: that is the caller's own input.
            const leaked = fixture.home.bytes.filter((value) => value.length >= 4 && value !== fixture.home.slug && text.includes(value));
            if (leaked.length) mismatches.push(`${route} as ${principal}: the other tenant's ${leaked.join(', ')}`);
          }
        }),
      );
      expect(mismatches).toEqual([]);
    });
  });

  describe('operations', () => {
    const principalChanging = Object.entries(ROOT_POLICY).filter(([, policy]) => policy.changesPrincipal);
    const adminMutations = Object.entries(ROOT_POLICY).filter(([name, policy]) => name.startsWith('Mutation.') && policy.who === 'admin');

    it.each(principalChanging)('%s with any admin mutation, in either order, is refused before anything runs', async (name, policy) => {
      const mismatches: string[] = [];
      for (const [otherName, other] of adminMutations) {
        for (const [first, second] of [
          [policy, other],
          [other, policy],
        ]) {
          const combined = combineOperations(first.probe, first.variables, second.probe, second.variables);
          for (const principal of ['anonymous', 'OWNER', 'MEMBER'] as const) {
            const answer = await viaGateway(principal, combined.query, resolve(combined.variables, placeholders(principal)));
            const code = answer.body?.errors?.[0]?.extensions?.code;
            figures.operationsTried++;
            if (answer.status !== 400 || code !== 'BAD_USER_INPUT' || answer.body.data !== undefined) {
              figures.operationsWrong++;
              mismatches.push(`${name} + ${otherName} as ${principal}: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
            }
          }
        }
      }
      expect(mismatches).toEqual([]);
    });

    it.each(Object.entries(ROOT_POLICY).filter(([, policy]) => policy.foreign === 'null'))(
      '%s under two aliases answers its own tenant\'s row and not the other\'s, in one operation',
      async (name, policy) => {
        const mine = resolve(policy.variables, placeholders('OWNER')) as Record<string, string>;
        const theirs = Object.fromEntries(Object.entries(mine).map(([k, v]) => [k, foreignCounterpart(v)]));
        const aliased = combineOperations(policy.probe, mine, policy.probe, theirs, ['mine', 'theirs']);
        const mismatches: string[] = [];
        for (const principal of PRINCIPALS.filter((p) => expectedAtRoot(name, policy, p) === 'allowed' && p !== 'foreignOwner')) {
          const answer = await viaGateway(principal, aliased.query, aliased.variables);
          const mineSeen = observe(answer, ['mine']);
          const theirsSeen = observe(answer, ['theirs']);
          figures.operationsTried++;
          if (mineSeen !== 'allowed' || theirsSeen !== 'null') figures.operationsWrong++;
          if (mineSeen !== 'allowed' || theirsSeen !== 'null') mismatches.push(`${name} as ${principal}: mine ${mineSeen}, theirs ${theirsSeen}`);
          const leaked = fixture.foreign.bytes.filter((value) => !Object.values(theirs).includes(value) && JSON.stringify(answer.body).includes(value));
          if (leaked.length) mismatches.push(`${name} as ${principal}: the other tenant's ${leaked.join(', ')}`);
        }
        expect(mismatches).toEqual([]);
      },
    );

    /** The foreign tenant's row of the same kind as a row of the tenant under test. */
    const foreignCounterpart = (value: string) => {
      const { home, foreign } = fixture;
      const pairs: Array<[string, string]> = [
        [home.member.userId, foreign.member.userId],
        [home.evidenceId, foreign.evidenceId],
        [home.proofpackId, foreign.proofpackId],
        [home.accessReviewId, foreign.accessReviewId],
        [home.auditEventId, foreign.auditEventId],
        [home.subprocessorId, foreign.subprocessorId],
        [home.subprocessorChangeId, foreign.subprocessorChangeId],
      ];
      return pairs.find(([mine]) => mine === value)?.[1] ?? value;
    };
  });
});

