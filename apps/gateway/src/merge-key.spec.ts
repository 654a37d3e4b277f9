import { forwardHeaders, type ForwardedRequest } from '@compliance-graph/edge';
import { mergeKey } from './merge-key';

const URL = 'http://127.0.0.1:4001/graphql';
const CALLER: ForwardedRequest = { token: 'token-of-ada', clientIp: '203.0.113.7', userAgent: 'frontend/1.0', requestId: 'request-1' };
const BODY = { query: 'query Viewer__identity__0($first:Int){members(first:$first){totalCount}}', variables: { first: 10 }, operationName: 'Viewer__identity__0' };

/** A fetch as RemoteGraphQLDataSource hands it to the fetcher: the edge's headers, JSON body. */
function fetchOf(caller: ForwardedRequest, body: object = BODY, routerSecret = 'router-secret-0123456789abcdefghijkl') {
  return { method: 'POST', headers: { 'content-type': 'application/json', ...forwardHeaders(caller, routerSecret) }, body: JSON.stringify(body) };
}

describe('mergeKey', () => {
  const key = mergeKey(URL, fetchOf(CALLER));

  it("leaves out the request's own id, and nothing else of what is sent", () => {
    expect(mergeKey(URL, fetchOf({ ...CALLER, requestId: 'request-2' }))).toBe(key);
  });

  it('does not depend on the order of the headers', () => {
    const init = fetchOf(CALLER);
    expect(mergeKey(URL, { ...init, headers: Object.fromEntries(Object.entries(init.headers).reverse()) })).toBe(key);
  });

  it.each([
    ['another token', fetchOf({ ...CALLER, token: 'token-of-bob' })],
    ['no token', fetchOf({ ...CALLER, token: undefined })],
    ['another client address', fetchOf({ ...CALLER, clientIp: '203.0.113.8' })],
    ['another user agent', fetchOf({ ...CALLER, userAgent: 'frontend/1.1' })],
    ['no user agent', fetchOf({ ...CALLER, userAgent: undefined })],
    ['another router secret', fetchOf(CALLER, BODY, 'another-router-secret-0123456789abcdef')],
    ['another document', fetchOf(CALLER, { ...BODY, query: BODY.query.replace('totalCount', 'totalCount pageInfo{hasNextPage}') })],
    ['other variables', fetchOf(CALLER, { ...BODY, variables: { first: 11 } })],
    ['another operation name', fetchOf(CALLER, { ...BODY, operationName: 'Other__identity__0' })],
    ['one more header', { ...fetchOf(CALLER), headers: { ...fetchOf(CALLER).headers, 'apollo-federation-include-trace': 'ftv1' } }],
    ['another method', { ...fetchOf(CALLER), method: 'GET' }],
  ])('differs for %s', (_label, init) => {
    expect(mergeKey(URL, init)).not.toBe(key);
  });

  it('differs for another subgraph', () => {
    expect(mergeKey('http://127.0.0.1:4002/graphql', fetchOf(CALLER))).not.toBe(key);
  });
});
