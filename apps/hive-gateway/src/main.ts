import { runService } from '@compliance-graph/runtime';
import { loadHiveGatewayConfig } from './config';
import { startHiveGateway } from './hive-gateway';

runService('hive-gateway', () => startHiveGateway(loadHiveGatewayConfig()));
