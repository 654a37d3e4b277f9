import { buildSchema, getNamedType, isObjectType, type ConstDirectiveNode, type GraphQLField, type GraphQLObjectType } from 'graphql';

/**
 * What a client or the router can ask for, read from a composed supergraph rather than listed
 * by hand: every root field, every field of every entity type (a type with a federation key),
 * and for each the subgraph that resolves it. A field added to any subgraph appears here the
 * moment the supergraph is composed, so the isolation matrix cannot miss it.
 */
export interface Coordinate {
  /** `Query.members`, `Mutation.login`, `User.email`. */
  name: string;
  kind: 'query' | 'mutation' | 'entity-field';
  type: string;
  field: string;
  /** The subgraph (lower-case join__Graph name) that resolves the field. */
  subgraph: string;
  /** The subgraph the type lives in (for an entity field; another subgraph resolving the field holds a stub of it). */
  owner: string;
  /** The field as the smallest selection that returns it: `email`, `user { id }`, `auditTrail { totalCount }`. */
  selection: string;
}

export interface SupergraphCoordinates {
  coordinates: Coordinate[];
  /** Entity type -> the subgraphs that can resolve it by key (`_entities`). */
  entityTypes: Map<string, string[]>;
}

const argument = (directive: ConstDirectiveNode, name: string) => {
  const value = directive.arguments?.find((a) => a.name.value === name)?.value;
  if (!value) return undefined;
  return value.kind === 'EnumValue' || value.kind === 'StringValue' || value.kind === 'BooleanValue' ? value.value : undefined;
};

const directives = (node: { directives?: readonly ConstDirectiveNode[] } | null | undefined, name: string) =>
  (node?.directives ?? []).filter((d) => d.name.value === name);

/** Every `@join__type` of the type, including those on `extend type` nodes. */
function joinTypes(type: GraphQLObjectType) {
  return [type.astNode, ...type.extensionASTNodes].flatMap((node) => directives(node, 'join__type'));
}

/** Objects are asked for their `id`, connections for their `totalCount`, anything else for its `__typename`. */
function selectionOf(field: GraphQLField<unknown, unknown>): string {
  const type = getNamedType(field.type);
  if (!isObjectType(type)) return field.name;
  const fields = type.getFields();
  const inner = fields.id ? 'id' : fields.totalCount ? 'totalCount' : '__typename';
  return `${field.name} { ${inner} }`;
}

const joinFieldGraph = (field: GraphQLField<unknown, unknown>) => {
  const own = directives(field.astNode, 'join__field').find((d) => argument(d, 'external') !== true);
  return own ? argument(own, 'graph') : undefined;
};

/**
 * The subgraph that resolves a field: its `@join__field`, or for a key field (which every
 * subgraph of the type has) the subgraph that resolves most of the type's fields, since the
 * others hold only a stub of the entity.
 */
function resolvingSubgraph(type: GraphQLObjectType, field: GraphQLField<unknown, unknown>): string {
  const graph = joinFieldGraph(field) ?? ownerOf(type);
  if (typeof graph !== 'string') throw new Error(`${type.name}.${field.name}: no subgraph resolves it`);
  return graph.toLowerCase();
}

function ownerOf(type: GraphQLObjectType): string | undefined {
  const counts = new Map<string, number>();
  for (const field of Object.values(type.getFields())) {
    const graph = joinFieldGraph(field);
    if (typeof graph === 'string') counts.set(graph, (counts.get(graph) ?? 0) + 1);
  }
  const busiest = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  const graph = busiest ?? argument(joinTypes(type)[0], 'graph');
  return typeof graph === 'string' ? graph : undefined;
}

export function supergraphCoordinates(supergraphSdl: string): SupergraphCoordinates {
  const schema = buildSchema(supergraphSdl, { assumeValidSDL: true });
  const coordinates: Coordinate[] = [];
  const entityTypes = new Map<string, string[]>();
  for (const [rootName, kind] of [
    ['Query', 'query'],
    ['Mutation', 'mutation'],
  ] as const) {
    const root = schema.getType(rootName);
    if (!isObjectType(root)) continue;
    for (const field of Object.values(root.getFields())) {
      coordinates.push({
        name: `${rootName}.${field.name}`,
        kind,
        type: rootName,
        field: field.name,
        subgraph: resolvingSubgraph(root, field),
        owner: resolvingSubgraph(root, field),
        selection: selectionOf(field),
      });
    }
  }
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const resolvable = joinTypes(type).filter((d) => argument(d, 'key') !== undefined && argument(d, 'resolvable') !== false);
    if (resolvable.length === 0) continue;
    entityTypes.set(type.name, resolvable.map((d) => String(argument(d, 'graph')).toLowerCase()).sort());
    for (const field of Object.values(type.getFields())) {
      coordinates.push({
        name: `${type.name}.${field.name}`,
        kind: 'entity-field',
        type: type.name,
        field: field.name,
        subgraph: resolvingSubgraph(type, field),
        owner: ownerOf(type)!.toLowerCase(),
        selection: selectionOf(field),
      });
    }
  }
  return { coordinates, entityTypes };
}
