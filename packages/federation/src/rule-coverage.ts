import { isObjectType, type GraphQLSchema } from 'graphql';
import { completeRuleTree, type RuleTree } from '@compliance-graph/auth';
import { hasEntities } from './build-schema';

/**
 * Every object field of the schema that no rule in the tree names (a type-level rule or a
 * `'*'` entry covers its fields). Shield would deny these by default; a test asserts the
 * list is empty, so a field added without a deliberate rule fails CI instead of hiding.
 */
export function fieldsWithoutRule(schema: GraphQLSchema, tree: RuleTree): string[] {
  const complete = completeRuleTree(tree, hasEntities(schema)) as Record<string, unknown>;
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const entry = complete[type.name];
    const isFieldMap = entry !== undefined && entry !== null && Object.getPrototypeOf(entry) === Object.prototype;
    if (entry !== undefined && !isFieldMap) continue;
    const fields = (entry ?? {}) as Record<string, unknown>;
    if ('*' in fields) continue;
    for (const field of Object.keys(type.getFields())) {
      if (!(field in fields)) missing.push(`${type.name}.${field}`);
    }
  }
  return missing.sort();
}
