import 'reflect-metadata';
import { fieldsWithoutRule } from '@compliance-graph/federation';
import { buildAuditSchema } from './schema';
import { auditRules } from './permissions';

describe('audit permissions', () => {
  it('name a rule for every field of the schema (shield would deny the rest silently)', async () => {
    expect(fieldsWithoutRule(await buildAuditSchema(), auditRules)).toEqual([]);
  });
});
