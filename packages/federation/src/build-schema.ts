import 'reflect-metadata';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives, type IResolvers } from '@graphql-tools/utils';
import { applyMiddleware } from 'graphql-middleware';
import { parse, type GraphQLSchema } from 'graphql';
import { buildSchema, createResolversMap, type ContainerType, type NonEmptyArray } from 'type-graphql';
import { permissions, type RuleTree } from '@compliance-graph/auth';
import { DateTimeScalar } from './scalars';

const FEDERATION_LINK = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@inaccessible", "@tag", "@interfaceObject"])`;

export interface FederatedSchemaOptions {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  resolvers: NonEmptyArray<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  orphanedTypes?: Function[];
  /** `__resolveReference` per entity type, from the `*.reference.ts` files. */
  references?: IResolvers;
  /** The subgraph's shield rule tree (permissions.ts). */
  rules: RuleTree;
  /** Supplies resolver instances built with their services; without it type-graphql calls `new`. */
  container?: ContainerType;
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
export async function buildSubgraph(options: FederatedSchemaOptions): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: options.resolvers,
    orphanedTypes: options.orphanedTypes,
    container: options.container,
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

/** The executable subgraph schema: built from type-graphql classes, every field behind shield. */
export async function buildFederatedSchema(options: FederatedSchemaOptions): Promise<GraphQLSchema> {
  const schema = await buildSubgraph(options);
  return applyMiddleware(schema, permissions(options.rules, hasEntities(schema)));
}
