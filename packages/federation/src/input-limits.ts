import {
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { applyMiddleware, type IMiddlewareFunction } from 'graphql-middleware';
import { badUserInput } from '@compliance-graph/auth';
import { unstorableText } from '@compliance-graph/audit-log';

/**
 * Every string argument of a subgraph and its limit, by argument or input field name
 * (`<InputType>.<field>` or `<Type>.<field>.<argument>` where one name means two things).
 * A string argument without an entry fails the schema build. `min` applies where the value
 * is chosen (a new password), not where it is only compared.
 */
export type InputLimits = Readonly<Record<string, { min?: number; max: number }>>;

/** Refuses what PostgreSQL and audit records cannot store (NUL, unpaired surrogates), naming the field. */
export function assertStorable(value: string, field: string): string {
  const problem = unstorableText(value);
  if (problem) throw badUserInput(`${field} ${problem}`);
  return value;
}

/** A checker of trimmed text of 1 to the table's maximum for `limit` (by default the field's own entry). */
export function textChecker(limits: InputLimits) {
  return (value: string, field: string, limit = field): string => {
    const { max } = limits[limit];
    const text = assertStorable(value, field).trim();
    if (text.length === 0 || text.length > max) throw badUserInput(`${field} must be 1-${max} characters`);
    return text;
  };
}

type Check = (value: unknown, path: string) => void;

const isText = (type: GraphQLInputType) => isScalarType(type) && (type.name === 'String' || type.name === 'ID');

/** The limit of a string at `<owner>.<name>`: its own entry, else its name's; a string without one is a build error. */
function limitOf(limits: InputLimits, owner: string, name: string): number {
  const limit = limits[`${owner}.${name}`] ?? limits[name];
  if (!limit) throw new Error(`argument ${owner}.${name} is a string without an entry in the subgraph's input limits`);
  return limit.max;
}

/** A check of one argument or input field's values, built once per schema. */
function checkOf(limits: InputLimits, type: GraphQLInputType, owner: string, name: string): Check | null {
  if (isNonNullType(type)) return checkOf(limits, type.ofType, owner, name);
  if (isListType(type)) {
    const item = checkOf(limits, type.ofType, owner, name);
    return item && ((value, path) => Array.isArray(value) && value.forEach((entry, n) => item(entry, `${path}[${n}]`)));
  }
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).flatMap((field) => {
      const check = checkOf(limits, field.type, type.name, field.name);
      return check ? [{ name: field.name, check }] : [];
    });
    if (fields.length === 0) return null;
    return (value, path) => {
      if (value === null || typeof value !== 'object') return;
      for (const field of fields) field.check((value as Record<string, unknown>)[field.name], `${path}.${field.name}`);
    };
  }
  if (!isText(type)) return null;
  const max = limitOf(limits, owner, name);
  return (value, path) => {
    if (typeof value !== 'string') return;
    assertStorable(value, path);
    if (value.length > max) throw badUserInput(`${path} must be at most ${max} characters`);
  };
}

/**
 * Wraps every root field that takes string arguments, directly or inside input objects, so
 * that no resolver sees a string PostgreSQL or an audit record could not hold: a NUL, an
 * unpaired surrogate or a value over its limit is BAD_USER_INPUT naming the
 * argument (`input.password`), before anything runs.
 */
export function withArgumentLimits(schema: GraphQLSchema, limits: InputLimits): GraphQLSchema {
  const middleware: Record<string, Record<string, IMiddlewareFunction>> = {};
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    if (!root) continue;
    for (const field of Object.values(root.getFields())) {
      const checks = field.args.flatMap((arg) => {
        const check = checkOf(limits, arg.type, `${root.name}.${field.name}`, arg.name);
        return check ? [{ name: arg.name, check }] : [];
      });
      if (checks.length === 0) continue;
      (middleware[root.name] ??= {})[field.name] = (resolve, parent, args, context, info) => {
        for (const { name, check } of checks) check(args[name], name);
        return resolve(parent, args, context, info);
      };
    }
  }
  return applyMiddleware(schema, middleware);
}
