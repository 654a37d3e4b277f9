import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  getNamedType,
  isObjectType,
  Kind,
  parse,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { ApolloGateway } from '@apollo/gateway';
import { z } from 'zod';
import { edgeEnv } from '../src/config';
import { limitValidationRules, operationCost } from '../src/operation-limits';

const ROOT = resolve(__dirname, '../../..');
const canonical = parse(readFileSync(resolve(__dirname, 'canonical-queries.graphql'), 'utf8'));
const defaults = z.object(edgeEnv).pick({ MAX_DEPTH: true, MAX_ALIASES: true, MAX_DIRECTIVES: true, MAX_COST: true }).parse({});
const operations = canonical.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);

let schema: GraphQLSchema;
let gateway: ApolloGateway;
beforeAll(async () => {
  gateway = new ApolloGateway({ supergraphSdl: readFileSync(resolve(ROOT, 'supergraph.graphql'), 'utf8') });
  ({ schema } = await gateway.load());
});
afterAll(() => gateway.stop());

const messagesOf = (query: string) => validate(schema, parse(query), limitValidationRules(defaults)).map((e) => e.message);
const costOf = (query: string, operationName?: string) => operationCost(schema, parse(query), { id: 'any' }, operationName);

/** `Type.field` of every field that takes `first`, in the graph clients see. */
function paginatedFields(): string[] {
  return Object.values(schema.getTypeMap())
    .filter(isObjectType)
    .filter((type) => !type.name.startsWith('__'))
    .flatMap((type) => Object.values(type.getFields()).filter((f) => f.args.some((a) => a.name === 'first')).map((f) => `${type.name}.${f.name}`));
}

/** `Type.field` -> the `first` the fixture asks of it, wherever it appears. */
function firstsInFixture(): Map<string, number[]> {
  const found = new Map<string, number[]>();
  const typeInfo = new TypeInfo(schema);
  visit(
    canonical,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const first = node.arguments?.find((a) => a.name.value === 'first');
        const parent = typeInfo.getParentType();
        if (!first || first.value.kind !== Kind.INT || !parent) return;
        const key = `${getNamedType(parent).name}.${node.name.value}`;
        found.set(key, [...(found.get(key) ?? []), Number(first.value.value)]);
      },
    }),
  );
  return found;
}

describe('the canonical query fixture', () => {
  it('is valid against the composed graph', () => {
    expect(validate(schema, canonical)).toEqual([]);
  });

  it('asks the largest page of every paginated field of the graph', () => {
    const firsts = firstsInFixture();
    const missing = paginatedFields().filter((field) => !firsts.get(field)?.includes(200));
    expect(missing).toEqual([]);
  });

  it.each(operations.map((op) => [op.name!.value]))('%s passes every limit', (name) => {
    const document = readFileSync(resolve(__dirname, 'canonical-queries.graphql'), 'utf8');
    expect(validate(schema, canonical, limitValidationRules(defaults))).toEqual([]);
    expect(costOf(document, name)).toBeLessThanOrEqual(defaults.MAX_COST);
  });
});

describe('hostile shapes', () => {
  it('counts __typename aliases (a scanner batched 101 of them)', () => {
    const aliases = Array.from({ length: 101 }, (_, i) => `t${i}: __typename`).join(' ');
    expect(messagesOf(`{ ${aliases} }`)).toEqual([`Aliases limit of ${defaults.MAX_ALIASES} exceeded, found 101.`]);
  });

  it('limits directives (ten duplicated directives are each validated otherwise)', () => {
    const directives = Array.from({ length: 11 }, () => '@include(if: true)').join(' ');
    expect(messagesOf(`{ __typename ${directives} }`)).toEqual(
      expect.arrayContaining([`Directives limit of ${defaults.MAX_DIRECTIVES} exceeded, found 11.`]),
    );
  });

  it('says what was wrong, without calling a limit a syntax error', () => {
    const deep = `{ __schema { types { fields { type ${'{ ofType '.repeat(12)}{ name }${' }'.repeat(12)} } } } }`;
    const messages = messagesOf(deep);
    expect(messages).toEqual([expect.stringMatching(/^Query depth limit of 12 exceeded/)]);
  });

  it('prices nested pages by the rows they may return', () => {
    const nested = `{ members(first: 200) { nodes { auditTrail(first: 200) { nodes { id action actor { id displayName } } } } } }`;
    expect(costOf(nested)).toBe(1 + 200 * (1 + (1 + 200 * (1 + 5))));
    expect(costOf(nested)).toBeGreaterThan(defaults.MAX_COST);
    expect(costOf(nested.replaceAll('200', '10'))).toBeLessThan(defaults.MAX_COST);
  });

  it('prices a page size given as a variable, and a default page as 50', () => {
    const query = `query ($n: Int) { members(first: $n) { nodes { id } } }`;
    expect(operationCost(schema, parse(query), { n: 200 })).toBe(1 + 200 * 2);
    expect(operationCost(schema, parse(query), {})).toBe(1 + 50 * 2);
  });
});
