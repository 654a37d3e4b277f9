import 'reflect-metadata';
import { runService } from '@compliance-graph/runtime';
import { loadIdentityConfig } from './config';
import { startIdentityService } from './service';

runService('identity', () => startIdentityService(loadIdentityConfig()));
