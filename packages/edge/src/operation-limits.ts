import { GraphQLError, type DocumentNode, type GraphQLSchema, type ValidationContext, type ValidationRule } from 'graphql';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import { MAX_PAGE_SIZE } from '@compliance-graph/federation';

export interface OperationLimits {
  MAX_DEPTH: number;
  MAX_ALIASES: number;
  MAX_DIRECTIVES: number;
  MAX_COST: number;
}

/**
 * graphql-armor throws from inside validation by default, which Apollo reports as a 500, and
 * prefixes its messages with "Syntax Error:" although nothing is wrong with the syntax.
 * Reported through the validation context with the prefix removed, a refused document is the
 * usual 400 GRAPHQL_VALIDATION_FAILED that says which limit it broke.
 */
const reportAsValidationError = {
  exposeLimits: true,
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) =>
      context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''))),
  ],
};

/** Structural limits, checked while the document is validated. */
export const limitValidationRules = (limits: OperationLimits): ValidationRule[] => [
  maxDepthRule({ n: limits.MAX_DEPTH, ignoreIntrospection: false, ...reportAsValidationError }),
  // Every alias counts, `__typename` included: armor exempts it by default, which let a scanner
  // run 101 aliased fields in one request.
  maxAliasesRule({ n: limits.MAX_ALIASES, allowList: [], ...reportAsValidationError }),
  maxDirectivesRule({ n: limits.MAX_DIRECTIVES, ...reportAsValidationError }),
];

/**
 * The cost model: every field costs 1, and a paginated field (one taking `first`) costs its
 * selection once per item it may return, so nested pages multiply as they do in the database.
 * A missing `first` without a schema default counts as the largest page.
 */
const pageEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (!field.args.some((arg) => arg.name === 'first')) return undefined;
  const first = typeof args.first === 'number' ? args.first : MAX_PAGE_SIZE;
  return 1 + Math.max(1, Math.min(first, MAX_PAGE_SIZE)) * childComplexity;
};

export function operationCost(schema: GraphQLSchema, document: DocumentNode, variables?: Record<string, unknown>, operationName?: string): number {
  return getComplexity({
    schema,
    query: document,
    variables,
    operationName,
    estimators: [pageEstimator, simpleEstimator({ defaultComplexity: 1 })],
  });
}

/**
 * Refuses an operation whose cost exceeds the limit before it is planned. It runs after
 * validation because the cost depends on variables (`first: $n`), which validation rules do not see.
 */
export function assertWithinCost(maxCost: number, schema: GraphQLSchema, document: DocumentNode, variables?: Record<string, unknown>, operationName?: string): void {
  let cost: number;
  try {
    cost = operationCost(schema, document, variables, operationName);
  } catch {
    // Variables that do not fit the operation: execution refuses them with its own coded error.
    return;
  }
  if (cost > maxCost) {
    throw new GraphQLError(`Operation cost limit of ${maxCost} exceeded, found ${cost}.`, {
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
    });
  }
}
