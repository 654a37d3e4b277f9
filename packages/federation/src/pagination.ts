import { badUserInput } from '@compliance-graph/auth';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export interface PageRequest<K> {
  first: number;
  /** The sort key of the last row the client has seen, decoded from `after`. */
  after: K | null;
}

/**
 * Validates `first` and decodes `after` (an opaque cursor, base64url of the JSON sort key).
 * A forged or stale cursor is bad input, never a database error.
 */
export function pageRequest<K>(first: number | null | undefined, after: string | null | undefined, isKey: (value: unknown) => value is K): PageRequest<K> {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) throw badUserInput(`first must be between 0 and ${MAX_PAGE_SIZE}`);
  if (!after) return { first: size, after: null };
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
  } catch {
    throw badUserInput('after is not a valid cursor');
  }
  if (!isKey(key)) throw badUserInput('after is not a valid cursor');
  return { first: size, after: key };
}

export const encodeCursor = (key: unknown): string => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

/** Builds a connection from `first + 1` fetched rows: the extra row only says there is more. */
export function connection<T, K>(rows: T[], first: number, totalCount: number, keyOf: (row: T) => K) {
  const nodes = rows.slice(0, first);
  const last = nodes[nodes.length - 1];
  return {
    nodes,
    totalCount,
    pageInfo: { endCursor: last === undefined ? null : encodeCursor(keyOf(last)), hasNextPage: rows.length > first },
  };
}
