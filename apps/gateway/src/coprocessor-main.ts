import { runService } from '@compliance-graph/runtime';
import { loadCoprocessorConfig, startCoprocessor } from './coprocessor';

runService('coprocessor', () => startCoprocessor(loadCoprocessorConfig()));
