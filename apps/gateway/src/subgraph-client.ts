import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent, type Dispatcher } from 'undici';
import { inClientSpan } from '@compliance-graph/runtime';
import { InFlight } from './in-flight';
import { mergeKey } from './merge-key';
import { AnswerResponse, type Fetcher, type FetcherInit, type SubgraphAnswer } from './subgraph-answer';

/**
 * Keep-alive sockets per subgraph origin: enough for the gateway's concurrency, few enough that
 * a burst queues in the gateway instead of opening a socket (and a database wait) per request.
 * A queued fetch spends its deadline waiting, as a slow one would.
 */
const CONNECTIONS_PER_SUBGRAPH = 128;

export interface SubgraphClientOptions {
  /** Deadline of one fetch, its answer read in full included (SUBGRAPH_TIMEOUT_MS). */
  timeoutMs: number;
  /** Starts timing a fetch sent to `subgraph`; the result ends it. */
  timeFetch(subgraph: string): () => void;
  /** Counts a fetch that shared an identical one's answer instead of being sent. */
  countMerged(subgraph: string): void;
}

export interface SubgraphClient {
  /** The fetcher of `subgraph`'s data source. */
  fetcher(subgraph: string): Fetcher;
  /** Runs `call` so that the fetches it makes join an identical fetch in flight rather than being sent again. */
  merging<T>(call: () => Promise<T>): Promise<T>;
  /**
   * Ends the sockets once the server has drained. A fetch still running then (a hung subgraph,
   * its client's connection closed by the drain) serves no one: it fails at once rather than
   * holding shutdown for the rest of its deadline.
   */
  close(): Promise<void>;
}

function headerPairs(headers: Record<string, string | string[] | undefined>): Array<[string, string]> {
  return Object.entries(headers).flatMap(([name, value]) => (value === undefined ? [] : [value].flat().map((one): [string, string] => [name, one])));
}

/**
 * The gateway's HTTP client for subgraph fetches: undici with one keep-alive pool per subgraph
 * origin. Each fetch runs in a client span whose traceparent the subgraph continues, under a
 * deadline (a subgraph that hangs fails its fields with INTERNAL_SERVER_ERROR instead of
 * holding the client's request open), and is timed for the fetch-latency metric.
 */
export function createSubgraphClient(options: SubgraphClientOptions): SubgraphClient {
  // The per-fetch deadline is the one limit; undici's own (300 s) would cut a longer one short.
  const agent = new Agent({ connections: CONNECTIONS_PER_SUBGRAPH, headersTimeout: 0, bodyTimeout: 0 });
  const inFlight = new InFlight<SubgraphAnswer>();
  const mergeable = new AsyncLocalStorage<true>();

  const send = (subgraph: string, url: URL, init: FetcherInit): Promise<SubgraphAnswer> =>
    inClientSpan('POST /graphql', url, async (traceHeaders) => {
      const fetched = options.timeFetch(subgraph);
      try {
        const answer = await agent.request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
          headers: { ...init.headers, ...traceHeaders },
          body: init.body,
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        return { status: answer.statusCode, headers: headerPairs(answer.headers), body: await answer.body.text() };
      } finally {
        fetched();
      }
    });

  return {
    fetcher: (subgraph) => async (url, init = {}) => {
      const answer = mergeable.getStore()
        ? inFlight.share(mergeKey(url, init), () => send(subgraph, new URL(url), init), () => options.countMerged(subgraph))
        : send(subgraph, new URL(url), init);
      return new AnswerResponse(url, await answer);
    },
    merging: (call) => mergeable.run(true, call),
    close: () => agent.destroy(),
  };
}
