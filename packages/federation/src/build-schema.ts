import 'reflect-metadata';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives, type IResolvers } from '@graphql-tools/utils';
import { applyMiddleware } from 'graphql-middleware';
import { parse, type GraphQLSchema } from 'graphql';
import { buildSchema, createResolversMap, type NonEmptyArray } from 'type-graphql';
import { permissions, type RuleTree } from '@compliance-graph/auth';
import { resolverContainer, type ResolverClass, type ResolverInstances } from './container';
import { withArgumentLimits, type InputLimits } from './input-limits';
import { DateTimeScalar } from './scalars';

const FEDERATION_LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@inaccessible", "@tag", "@interfaceObject"])`;

export interface FederatedSchemaOptions<Resolvers extends readonly ResolverClass[] = readonly ResolverClass[]> {
  /** The subgraph's resolver classes, declared once (schema.ts). */
  resolvers: Resolvers;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  orphanedTypes?: Function[];
  /** `__resolveReference` per entity type, from the `*.reference.ts` files. */
  references?: IResolvers;
  /** The subgraph's shield rule tree (permissions.ts). */
  rules: RuleTree;
  /** The length of every string argument (validation.ts); one without an entry fails the build. */
  inputLimits: InputLimits;
  /**
   * The resolvers built with their services, one per class in the same order; without them
   * (composition, rule coverage) type-graphql would call `new`, and nothing runs them.
   */
  instances?: ResolverInstances<Resolvers>;
}

function mergeResolvers(base: IResolvers, extra: IResolvers = {}): IResolvers {
  const merged: IResolvers = { ...base };
  for (const [type, fields] of Object.entries(extra)) {
    merged[type] = { ...(merged[type] as object), ...(fields as object) };
  }
  return merged;
}

export const hasEntities = (schema: GraphQLSchema) => Boolean(schema.getQueryType()?.getFields()._entities);

/** The subgraph's SDL and resolvers, before permissions: what composition reads. */
export async function buildSubgraph<const Resolvers extends readonly ResolverClass[]>(options: FederatedSchemaOptions<Resolvers>): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
    resolvers: [...options.resolvers] as unknown as NonEmptyArray<Function>,
    orphanedTypes: options.orphanedTypes,
    container: options.instances && resolverContainer(options.resolvers, options.instances),
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validate: false,
    skipCheck: true,
    emitSchemaFile: false,
  });
  return buildSubgraphSchema([
    {
      typeDefs: parse(`${FEDERATION_LINK}\n${printSchemaWithDirectives(schema)}`),
      resolvers: mergeResolvers(createResolversMap(schema) as IResolvers, options.references) as never,
    },
  ]);
}

/**
 * The executable subgraph schema: built from type-graphql classes, every field behind shield,
 * and every string argument checked against its limit before shield or a resolver sees it.
 */
export async function buildFederatedSchema<const Resolvers extends readonly ResolverClass[]>(options: FederatedSchemaOptions<Resolvers>): Promise<GraphQLSchema> {
  const schema = await buildSubgraph(options);
  return withArgumentLimits(applyMiddleware(schema, permissions(options.rules, hasEntities(schema))), options.inputLimits);
}
