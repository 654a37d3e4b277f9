import {
  getNamedType,
  getNullableType,
  isListType,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

/**
 * Lists computed per row rather than read from a table: an empty one is a valid answer (an
 * access-review item with nothing to flag), so they demand no rows.
 */
const DERIVED_LISTS = new Set(['AccessReviewItem.signals']);

/**
 * Lists that hold fewer rows than the size, at most this many. An item's decisions are one per
 * review, a handful in practice; 200 on each of 200 items makes the gateway send identity 40,000
 * User representations in one request, beyond a subgraph's body limit (413, README Benchmarks).
 */
export const LIST_CAPS: Record<string, number> = { 'Evidence.decisions': 20 };

type Fragments = Record<string, FragmentDefinitionNode>;

interface Walk {
  schema: GraphQLSchema;
  fragments: Fragments;
  size: number;
}

/** The fields a selection set asks for, fragments spread, each with the type that declares it. */
function fieldsOf(walk: Walk, selectionSet: SelectionSetNode, type: GraphQLCompositeType) {
  const fields: Array<{ key: string; selectionSet?: SelectionSetNode; first?: number; definition: GraphQLField<unknown, unknown>; parent: string }> = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const definition = 'getFields' in type ? type.getFields()[selection.name.value] : undefined;
      if (!definition) continue;
      const first = selection.arguments?.find((argument) => argument.name.value === 'first')?.value;
      fields.push({
        key: selection.alias?.value ?? selection.name.value,
        selectionSet: selection.selectionSet,
        first: first?.kind === Kind.INT ? Number(first.value) : undefined,
        definition,
        parent: type.name,
      });
      continue;
    }
    const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? walk.fragments[selection.name.value] : selection;
    const condition = fragment.typeCondition ? (walk.schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType) : type;
    fields.push(...fieldsOf(walk, fragment.selectionSet, condition));
  }
  return fields;
}

const isRowList = (field: { definition: GraphQLField<unknown, unknown>; parent: string; selectionSet?: SelectionSetNode }) =>
  field.selectionSet !== undefined && isListType(getNullableType(field.definition.type)) && !DERIVED_LISTS.has(`${field.parent}.${field.definition.name}`);

/** Whether the selection reads a list of rows somewhere below: a null in its place leaves that list unread. */
function readsRows(walk: Walk, selectionSet: SelectionSetNode, type: GraphQLCompositeType): boolean {
  return fieldsOf(walk, selectionSet, type).some(
    (field) => isRowList(field) || (field.selectionSet !== undefined && readsRows(walk, field.selectionSet, getNamedType(field.definition.type) as GraphQLCompositeType)),
  );
}

function check(walk: Walk, selectionSet: SelectionSetNode, type: GraphQLCompositeType, value: Record<string, unknown>, page: number | undefined, path: string): string[] {
  const problems: string[] = [];
  for (const field of fieldsOf(walk, selectionSet, type)) {
    if (!field.selectionSet) continue;
    const at = `${path}.${field.key}`;
    const answer = value[field.key];
    const named = getNamedType(field.definition.type) as GraphQLCompositeType;
    // A connection's `first` bounds the list inside it (its `nodes`).
    const bound = field.first ?? page;
    if (isRowList(field)) {
      const rows = Array.isArray(answer) ? (answer as Array<Record<string, unknown> | null>) : [];
      const demanded = Math.min(walk.size, bound ?? walk.size, LIST_CAPS[`${field.parent}.${field.definition.name}`] ?? walk.size);
      if (rows.length < demanded) problems.push(`${at} has ${rows.length} rows, not ${demanded}`);
      rows.forEach((row, n) => row && problems.push(...check(walk, field.selectionSet!, named, row, undefined, `${at}[${n}]`)));
    } else if (answer === null || answer === undefined) {
      if (readsRows(walk, field.selectionSet, named)) problems.push(`${at} is null, so the lists below it were not read`);
    } else if (!Array.isArray(answer)) {
      problems.push(...check(walk, field.selectionSet, named, answer as Record<string, unknown>, bound, at));
    }
  }
  return problems;
}

/**
 * Every list of rows in an operation's answer that holds fewer than `size` rows, or fewer than
 * the page it asked for when that is smaller: a statement count over an empty list proves nothing.
 */
export function shortLists(schema: GraphQLSchema, fragments: Fragments, selectionSet: SelectionSetNode, data: Record<string, unknown>, size: number): string[] {
  return check({ schema, fragments, size }, selectionSet, schema.getQueryType()!, data, undefined, 'data');
}
