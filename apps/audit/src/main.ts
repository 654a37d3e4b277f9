import 'reflect-metadata';
import { runService } from '@compliance-graph/federation';
import { loadAuditConfig } from './config';
import { startAuditService } from './service';

runService('audit', () => startAuditService(loadAuditConfig()));
