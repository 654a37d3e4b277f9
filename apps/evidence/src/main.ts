import 'reflect-metadata';
import { runService } from '@compliance-graph/federation';
import { loadEvidenceConfig } from './config';
import { startEvidenceService } from './service';

runService('evidence', () => startEvidenceService(loadEvidenceConfig()));
