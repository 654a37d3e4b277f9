import type { ApolloServerPlugin } from '@apollo/server';
import { getOperationAST, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import { Counter, Histogram, type Registry } from 'prom-client';
import { ErrorCode, PUBLIC_ERROR_CODES } from '@compliance-graph/auth';
import { operationLabel } from './operation-label';

/**
 * The operation's name as resolved, or, for a document that failed validation before that, as
 * the parsed document names it (a document that did not parse has none).
 */
function operationNameOf(resolved: string | null | undefined, requested: string | undefined, document: DocumentNode | undefined): string | undefined {
  if (resolved) return resolved;
  if (!document) return requested;
  return getOperationAST(document, requested)?.name?.value ?? requested;
}

/** OK, or the first error's code from the closed list of public codes, so a label never carries what a subgraph wrote. */
function outcomeCode(errors: readonly Pick<GraphQLFormattedError, 'extensions'>[] | undefined): string {
  if (!errors?.length) return 'OK';
  const code = errors[0].extensions?.code;
  return typeof code === 'string' && PUBLIC_ERROR_CODES.has(code) ? code : ErrorCode.INTERNAL_SERVER_ERROR;
}

/** Seconds, up to the order of SUBGRAPH_TIMEOUT_MS's default (a whole-log verification). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120];

/**
 * The gateway's series: GraphQL requests by operation and outcome code, their latency by
 * operation, each subgraph fetch's latency by subgraph, and the fetches that waited for an
 * identical one in flight instead of being sent. Operation labels are bounded by
 * `operationLabel`, codes by the public error codes, subgraphs by the supergraph.
 */
export function gatewayMetrics(registry: Registry) {
  const requests = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL requests at the gateway, by operation (canonical name, other or anonymous) and outcome code (OK or the first error’s code)',
    labelNames: ['operation', 'code'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'GraphQL request latency at the gateway, by operation',
    labelNames: ['operation'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const fetches = new Histogram({
    name: 'subgraph_fetch_duration_seconds',
    help: 'Latency of the gateway’s fetches from each subgraph',
    labelNames: ['subgraph'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const merged = new Counter({
    name: 'subgraph_fetches_merged_total',
    help: 'Subgraph fetches of a query not sent because an identical one was in flight, whose answer they shared',
    labelNames: ['subgraph'],
    registers: [registry],
  });

  const plugin: ApolloServerPlugin<object> = {
    // Refused while its context was built (a bad token at the edge): the operation is not read yet.
    async contextCreationDidFail({ error }) {
      requests.inc({ operation: 'other', code: outcomeCode([error as { extensions?: Record<string, unknown> }]) });
    },
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operationName, request, document, response }) {
          const operation = operationLabel(operationNameOf(operationName, request.operationName, document));
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          requests.inc({ operation, code: outcomeCode(errors) });
          duration.observe({ operation }, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
  return {
    plugin,
    /** Starts timing one fetch from `subgraph`; call the result when it is answered (or failed). */
    timeFetch: (subgraph: string) => fetches.startTimer({ subgraph }),
    /** Counts one fetch from `subgraph` that shared the answer of an identical one in flight. */
    countMerged: (subgraph: string) => merged.inc({ subgraph }),
  };
}
