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
import { INPUT_LIMITS, assertStorable } from './validation';

type Check = (value: unknown, path: string) => void;

const isText = (type: GraphQLInputType) => isScalarType(type) && (type.name === 'String' || type.name === 'ID');

/** The limit of a string at `<owner>.<name>`: its own entry, else its name's; a string without one is a build error. */
function limitOf(owner: string, name: string): number {
  const limit = INPUT_LIMITS[`${owner}.${name}`] ?? INPUT_LIMITS[name];
  if (!limit) throw new Error(`argument ${owner}.${name} is a string without an entry in INPUT_LIMITS (validation.ts)`);
  return limit.max;
}

/** A check of one argument or input field's values, built once per schema. */
function checkOf(type: GraphQLInputType, owner: string, name: string): Check | null {
  if (isNonNullType(type)) return checkOf(type.ofType, owner, name);
  if (isListType(type)) {
    const item = checkOf(type.ofType, owner, name);
    return item && ((value, path) => Array.isArray(value) && value.forEach((entry, n) => item(entry, `${path}[${n}]`)));
  }
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).flatMap((field) => {
      const check = checkOf(field.type, type.name, field.name);
      return check ? [{ name: field.name, check }] : [];
    });
    if (fields.length === 0) return null;
    return (value, path) => {
      if (value === null || typeof value !== 'object') return;
      for (const field of fields) field.check((value as Record<string, unknown>)[field.name], `${path}.${field.name}`);
    };
  }
  if (!isText(type)) return null;
  const max = limitOf(owner, name);
  return (value, path) => {
    if (typeof value !== 'string') return;
    assertStorable(value, path);
    if (value.length > max) throw badUserInput(`${path} must be at most ${max} characters`);
  };
}

/**
 * Wraps every root field that takes string arguments, directly or inside input objects, so
 * that no resolver sees a string PostgreSQL or an audit record could not hold: a NUL, an
 * unpaired surrogate or a value over its INPUT_LIMITS length is BAD_USER_INPUT naming the
 * argument (`input.password`), before anything runs.
 */
export function withArgumentLimits(schema: GraphQLSchema): GraphQLSchema {
  const middleware: Record<string, Record<string, IMiddlewareFunction>> = {};
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    if (!root) continue;
    for (const field of Object.values(root.getFields())) {
      const checks = field.args.flatMap((arg) => {
        const check = checkOf(arg.type, `${root.name}.${field.name}`, arg.name);
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
