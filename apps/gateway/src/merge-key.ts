import { REQUEST_ID_HEADER } from '@compliance-graph/runtime';
import type { FetcherInit } from './subgraph-answer';

/**
 * What makes two subgraph fetches the same one: the subgraph's URL, the method, the body (the
 * document, its variables and operation name) and every header sent but the request's own id,
 * so the token, the router secret, the client address and the user agent all count.
 */
export function mergeKey(url: string, init: FetcherInit): string {
  const headers = Object.entries(init.headers ?? {})
    .map(([name, value]) => [name.toLowerCase(), value] as const)
    .filter(([name]) => name !== REQUEST_ID_HEADER)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([url, init.method ?? 'GET', String(init.body ?? ''), headers]);
}
