import { runService } from '@compliance-graph/federation';
import { loadGatewayConfig } from './config';
import { startGateway } from './gateway';

runService('gateway', () => startGateway(loadGatewayConfig()));
