export { startGateway, type GatewayOptions, type RunningGateway } from './gateway';
export { InProcessSubgraphSource, type InProcessSubgraph } from './in-process-subgraph';
export { gatewayEnv, loadGatewayConfig, type GatewayConfig } from './config';
export { PROXIED_ROUTES } from './route-proxy';
export { coprocessorEnv, loadCoprocessorConfig, startCoprocessor, type CoprocessorConfig, type RunningCoprocessor } from './coprocessor';
