export { startSubgraphService, type SubgraphServiceDefinition, type SubgraphWiring, type RunningSubgraphService } from './subgraph-service';
export { startSubgraphServer, type SubgraphServerOptions, type RunningSubgraph, type ContextInput } from './subgraph-server';
export { runService } from './run-service';
export { forwardedRequest, forwardedRequestId, gatewayCaller, REQUEST_ID_HEADER, type ForwardedRequest } from './forwarded-request';
export { errorLoggingPlugin } from './error-logging';
export { startPeriodicWork, type PeriodicWork, type PeriodicWorkSettings } from './periodic-work';
export { jsonBody, jsonErrorHandler, withHttpStatus, listen } from './http';
export { createMetricsRegistry, serveMetrics, type MetricsListener } from './metrics';
export { startTracing, inClientSpan, requestScope, requestIdOf, type Tracing, type RequestScopeOptions } from './tracing';
