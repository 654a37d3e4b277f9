export { startGateway, type RunningGateway } from './gateway';
export { gatewayEnv, loadGatewayConfig, type GatewayConfig } from './config';
export { PROXIED_ROUTES } from './route-proxy';
export { coprocessorEnv, loadCoprocessorConfig, startCoprocessor, type CoprocessorConfig, type RunningCoprocessor } from './coprocessor';
