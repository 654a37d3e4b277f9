import 'reflect-metadata';
import { fieldsWithoutRule } from '@compliance-graph/federation';
import { buildIdentitySchema } from './schema';
import { identityRules } from './permissions';

describe('identity permissions', () => {
  it('name a rule for every field of the schema (shield would deny the rest silently)', async () => {
    expect(fieldsWithoutRule(await buildIdentitySchema(), identityRules)).toEqual([]);
  });
});
