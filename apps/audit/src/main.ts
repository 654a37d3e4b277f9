import 'reflect-metadata';
import { runService } from '@compliance-graph/runtime';
import { loadAuditConfig } from './config';
import { startAuditService } from './service';

runService('audit', () => startAuditService(loadAuditConfig()));
