import type { HttpResult } from '@compliance-graph/testing';
import type { Outcome } from './expectations';

type Segment = string | number;
interface GraphqlError {
  message: string;
  path?: Segment[];
  extensions?: { code?: string };
}

const PERMISSION_CODES = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'MFA_REQUIRED']);

/** `'[]'` in a pattern stands for any list index. */
const matches = (pattern: readonly Segment[], path: readonly Segment[]) =>
  pattern.length === path.length && pattern.every((segment, i) => segment === path[i] || (segment === '[]' && typeof path[i] === 'number'));
const isPrefix = (prefix: readonly Segment[], pattern: readonly Segment[]) =>
  prefix.length <= pattern.length && matches(pattern.slice(0, prefix.length), prefix);

/** Every value at `path` ('[]' fans out over a list). */
function valuesAt(value: unknown, path: readonly Segment[]): unknown[] {
  if (path.length === 0) return [value];
  if (value === null || value === undefined) return [value];
  const [head, ...rest] = path;
  if (head === '[]') return Array.isArray(value) ? value.flatMap((element) => valuesAt(element, rest)) : [undefined];
  return valuesAt((value as Record<Segment, unknown>)[head], rest);
}

/**
 * What a GraphQL answer says about the object at `object` (and its `field`): a permission code
 * at or above it, NOT_FOUND, absence, a hidden field, or access. Any other coded error but
 * INTERNAL_SERVER_ERROR is access: the permission layer let the call through. A field with a rule of its own that comes
 * back null is hidden (the fixture gives every such field a value).
 */
export function observe(answer: HttpResult, object: readonly Segment[], field?: { name: string; hasRule: boolean }): Outcome {
  if (answer.status === 403 && !answer.body?.data && answer.body?.errors?.[0]?.message === 'Subgraphs answer the gateway only') return 'REFUSED';
  const errors: GraphqlError[] = answer.body?.errors ?? [];
  const codeAbove = (predicate: (code: string) => boolean) =>
    errors.find((e) => predicate(e.extensions?.code ?? '') && (!e.path || isPrefix(e.path, object)))?.extensions?.code;
  const permission = codeAbove((code) => PERMISSION_CODES.has(code));
  if (permission) return permission as Outcome;
  // A server error is no answer about permissions: the cell fails, naming it.
  if (errors.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR')) return 'INTERNAL_SERVER_ERROR';
  if (codeAbove((code) => code === 'NOT_FOUND')) return 'NOT_FOUND';
  const objects = valuesAt(answer.body?.data, object);
  if (objects.some((value) => value === null || value === undefined)) return codeAbove((code) => code !== '') ? 'allowed' : 'null';
  if (!field) return 'allowed';
  const target = [...object, field.name];
  if (errors.some((e) => e.path && PERMISSION_CODES.has(e.extensions?.code ?? '') && matches(target, e.path))) return 'hidden';
  const values = valuesAt(answer.body?.data, target);
  return field.hasRule && values.length > 0 && values.every((value) => value === null) ? 'hidden' : 'allowed';
}

/** Whether an observed outcome is the expected one; a call that is allowed may still find nothing (NOT_FOUND). */
export const agrees = (expected: Outcome, observed: Outcome) => expected === observed || (expected === 'allowed' && observed === 'NOT_FOUND');

/** Every string of `forbidden` that occurs anywhere in the answer (body and headers). */
export function leakedBytes(answer: HttpResult, forbidden: readonly string[], echoed: readonly string[]): string[] {
  const text = `${JSON.stringify([...answer.headers.entries()])}${typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body)}`;
  return forbidden.filter((value) => value.length >= 4 && !echoed.includes(value) && text.includes(value));
}
