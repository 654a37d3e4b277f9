export { startHiveGateway, type RunningHiveGateway } from './hive-gateway';
export { hiveGatewayEnv, loadHiveGatewayConfig, type HiveGatewayConfig } from './config';
export { useEdge, type EdgeContext } from './edge-plugin';
