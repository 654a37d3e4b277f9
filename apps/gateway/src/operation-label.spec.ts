import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse } from 'graphql';
import { CANONICAL_OPERATIONS, operationLabel } from './operation-label';

describe('operationLabel', () => {
  it('names exactly the operations of the canonical query fixture', () => {
    const fixture = parse(readFileSync(join(__dirname, '../../../packages/edge/test/canonical-queries.graphql'), 'utf8'));
    const names = fixture.definitions.flatMap((definition) => (definition.kind === Kind.OPERATION_DEFINITION && definition.name ? [definition.name.value] : []));
    expect([...CANONICAL_OPERATIONS].sort()).toEqual([...new Set(names)].sort());
  });

  it('keeps a canonical name, and folds every other name into one value', () => {
    expect(operationLabel('Members')).toBe('Members');
    expect(operationLabel('members')).toBe('other');
    expect(operationLabel('tenant-3f2a9c@example.com')).toBe('other');
    expect(operationLabel('Members\u0000')).toBe('other');
    expect(operationLabel(undefined)).toBe('anonymous');
    expect(operationLabel('')).toBe('anonymous');
  });
});
