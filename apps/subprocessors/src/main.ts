import 'reflect-metadata';
import { runService } from '@compliance-graph/runtime';
import { loadSubprocessorsConfig } from './config';
import { startSubprocessorsService } from './service';

runService('subprocessors', () => startSubprocessorsService(loadSubprocessorsConfig()));
