export { buildFederatedSchema, buildSubgraph, type FederatedSchemaOptions } from './build-schema';
export { fieldsWithoutRule } from './rule-coverage';
export { PageInfo } from './page-info';
export { DateTimeScalar, JSONObjectScalar } from './scalars';
export type { RequestContext } from './context';
export { maskError, isPublicError, jsonErrorHandler } from './errors';
export {
  startSubgraphServer,
  stopOnSignals,
  runService,
  errorLoggingPlugin,
  withHttpStatus,
  forwardedRequest,
  listen,
  REQUEST_ID_HEADER,
  type SubgraphServerOptions,
  type RunningSubgraph,
  type ContextInput,
  type ForwardedRequest,
} from './server';
export { resolverContainer } from './container';
export { startSubgraphService, type SubgraphServiceDefinition, type SubgraphWiring } from './subgraph-service';
export { pageRequest, encodeCursor, connection, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type PageRequest } from './pagination';
export { UserReference } from './user-reference';
export { PRINCIPAL_CHANGING_MUTATIONS, combinedPrincipalChange, principalChangeAlonePlugin } from './principal-change';
