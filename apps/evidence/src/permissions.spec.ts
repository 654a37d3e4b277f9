import 'reflect-metadata';
import { fieldsWithoutRule } from '@compliance-graph/federation';
import { buildEvidenceSchema } from './schema';
import { evidenceRules } from './permissions';

describe('evidence permissions', () => {
  it('name a rule for every field of the schema (shield would deny the rest silently)', async () => {
    expect(fieldsWithoutRule(await buildEvidenceSchema(), evidenceRules)).toEqual([]);
  });
});
