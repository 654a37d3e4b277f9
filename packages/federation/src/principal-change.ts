import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { ErrorCode } from '@compliance-graph/auth';

/**
 * Mutations that issue a new principal. Shield decides per request, and the other subgraphs
 * receive the original token: a later root field of the same operation would run with
 * decisions made for, or a token of, a different caller (a MEMBER became ADMIN that way).
 */
export const PRINCIPAL_CHANGING_MUTATIONS: ReadonlySet<string> = new Set([
  'login',
  'signUp',
  'refreshSession',
  'switchTenant',
  'acceptInvitation',
  'openSupportSession',
]);

interface RootField {
  responseKey: string;
  name: string;
}

/** The root fields an operation executes, through fragments, keyed as execution merges them. */
function rootFields(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, expanding = new Set<string>()): RootField[] {
  return selectionSet.selections.flatMap((selection): RootField[] => {
    if (selection.kind === Kind.FIELD) return [{ responseKey: selection.alias?.value ?? selection.name.value, name: selection.name.value }];
    if (selection.kind === Kind.INLINE_FRAGMENT) return rootFields(selection.selectionSet, fragments, expanding);
    const fragment = fragments.get(selection.name.value);
    // A cycle or an unknown fragment is refused by validation, which ran before.
    if (!fragment || expanding.has(fragment.name.value)) return [];
    return rootFields(fragment.selectionSet, fragments, new Set([...expanding, fragment.name.value]));
  });
}

/** The principal-changing mutation of an operation that also executes anything else, if any. */
export function combinedPrincipalChange(document: DocumentNode, operation: OperationDefinitionNode): string | undefined {
  if (operation.operation !== OperationTypeNode.MUTATION) return undefined;
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  const fields = rootFields(operation.selectionSet, fragments);
  const changing = fields.find((field) => PRINCIPAL_CHANGING_MUTATIONS.has(field.name));
  if (!changing) return undefined;
  return new Set(fields.map((field) => field.responseKey)).size > 1 ? changing.name : undefined;
}

/**
 * Refuses, before anything runs, an operation in which a principal-changing mutation is not the
 * only root field (no second field, alias or fragment beside it). Used by both gateways' edge and
 * by every subgraph, for requests that reach one another way.
 */
export function assertPrincipalChangeAlone(document: DocumentNode, operation: OperationDefinitionNode | null | undefined): void {
  const mutation = operation && combinedPrincipalChange(document, operation);
  if (mutation) {
    throw new GraphQLError(`${mutation} changes the caller, so it must be the only root field of its operation`, {
      extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } },
    });
  }
}

/** assertPrincipalChangeAlone as an Apollo Server plugin. */
export const principalChangeAlonePlugin = <T extends object>(): ApolloServerPlugin<T> => ({
  async requestDidStart() {
    return {
      async didResolveOperation({ document, operation }) {
        assertPrincipalChangeAlone(document, operation);
      },
    };
  },
});
