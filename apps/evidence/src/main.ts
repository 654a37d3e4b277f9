import 'reflect-metadata';
import { runService } from '@compliance-graph/runtime';
import { loadEvidenceConfig } from './config';
import { startEvidenceService } from './service';

runService('evidence', () => startEvidenceService(loadEvidenceConfig()));
