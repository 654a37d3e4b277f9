import 'reflect-metadata';
import { fieldsWithoutRule } from '@compliance-graph/federation';
import { buildSubprocessorsSchema } from './schema';
import { subprocessorsRules } from './permissions';

describe('subprocessors permissions', () => {
  it('name a rule for every field of the schema (shield would deny the rest silently)', async () => {
    expect(fieldsWithoutRule(await buildSubprocessorsSchema(), subprocessorsRules)).toEqual([]);
  });
});
