import { runService } from '@compliance-graph/runtime';
import { loadGatewayConfig } from './config';
import { startGateway } from './gateway';

runService('gateway', () => startGateway(loadGatewayConfig()));
