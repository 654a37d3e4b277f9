import { Kind, parse, print, visit, type FieldNode, type OperationDefinitionNode, type VariableDefinitionNode } from 'graphql';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * Two probe operations as one: their root fields side by side (under `aliases` when given, so
 * one field can be asked twice), variables renamed apart. Both must be of the same operation
 * type (query or mutation).
 */
export function combineOperations(
  first: string,
  firstVariables: Record<string, Json> | undefined,
  second: string,
  secondVariables: Record<string, Json> | undefined,
  aliases?: [string, string],
): { query: string; variables: Record<string, Json> } {
  const parts = [
    { document: first, variables: firstVariables ?? {}, prefix: 'a_', alias: aliases?.[0] },
    { document: second, variables: secondVariables ?? {}, prefix: 'b_', alias: aliases?.[1] },
  ].map(({ document, variables, prefix, alias }) => {
    const operation = parse(document).definitions[0] as OperationDefinitionNode;
    const renamed = visit(operation, {
      Variable: (node) => ({ ...node, name: { ...node.name, value: prefix + node.name.value } }),
    }) as OperationDefinitionNode;
    const selections = renamed.selectionSet.selections.map((selection) =>
      alias && selection.kind === Kind.FIELD ? ({ ...selection, alias: { kind: Kind.NAME, value: alias } } as FieldNode) : selection,
    );
    return {
      operation: renamed.operation,
      variableDefinitions: renamed.variableDefinitions ?? [],
      selections,
      variables: Object.fromEntries(Object.entries(variables).map(([name, value]) => [prefix + name, value])),
    };
  });
  if (parts[0].operation !== parts[1].operation) throw new Error('combineOperations: a query and a mutation cannot be one operation');
  const combined: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: parts[0].operation,
    variableDefinitions: parts.flatMap((p) => p.variableDefinitions as VariableDefinitionNode[]),
    selectionSet: { kind: Kind.SELECTION_SET, selections: parts.flatMap((p) => p.selections) },
  };
  return { query: print(combined), variables: { ...parts[0].variables, ...parts[1].variables } };
}

/** `document` with its `%s` replaced by a named fragment on `type` that holds `selection`. */
export const withFragment = (document: string, type: string, selection: string) =>
  `${document.replace('%s', '...Probe')}\nfragment Probe on ${type} { ${selection} }`;
