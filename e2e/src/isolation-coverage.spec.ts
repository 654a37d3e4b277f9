import { readFileSync } from 'node:fs';
import { SUPERGRAPH } from '@compliance-graph/stack';
import { policyGaps } from './isolation/coverage';
import { supergraphCoordinates } from './isolation/coordinates';

/**
 * The isolation matrix is generated from the composed supergraph: a field that reaches the
 * graph without a policy row fails here, before any cell runs.
 */
const supergraph = readFileSync(SUPERGRAPH, 'utf8');

describe('isolation policy coverage', () => {
  it('has a row for every root field, every entity type and every field of one, and no row for anything else', () => {
    expect(policyGaps(supergraph)).toEqual({ missing: [], stale: [] });
  });

  it('reads root fields and entity fields, with the subgraph resolving each, from the supergraph', () => {
    const { coordinates, entityTypes } = supergraphCoordinates(supergraph);
    const byName = new Map(coordinates.map((c) => [c.name, c]));
    expect(byName.get('Query.members')).toMatchObject({ kind: 'query', subgraph: 'identity' });
    expect(byName.get('Mutation.login')).toMatchObject({ kind: 'mutation', subgraph: 'identity' });
    expect(byName.get('Membership.auditTrail')).toMatchObject({ kind: 'entity-field', subgraph: 'audit' });
    expect(byName.get('Evidence.title')).toMatchObject({ kind: 'entity-field', subgraph: 'evidence' });
    // A key field is resolved where the entity lives, not by a subgraph holding a stub of it.
    expect(byName.get('Evidence.id')).toMatchObject({ subgraph: 'evidence' });
    expect(byName.get('Membership.id')).toMatchObject({ subgraph: 'identity' });
    // User is resolvable in identity only; audit and evidence hold stubs (resolvable: false).
    expect(entityTypes.get('User')).toEqual(['identity']);
    expect(entityTypes.get('Evidence')).toEqual(['audit', 'evidence']);
  });

  it('fails for a new root field or entity field that has no row, as a throwaway supergraph shows', () => {
    const withNewFields = supergraph
      .replace(/type Query\b([^{]*)\{/, (head) => `${head}\n  exportEverything: String @join__field(graph: IDENTITY)\n`)
      .replace(/type User\b([^{]*)\{/, (head) => `${head}\n  passwordHint: String @join__field(graph: IDENTITY)\n`)
      .replace(/type Mutation\b([^{]*)\{/, (head) => `${head}\n  makeMeOwner: Boolean! @join__field(graph: IDENTITY)\n`);
    expect(policyGaps(withNewFields).missing).toEqual(['Mutation.makeMeOwner', 'Query.exportEverything', 'User.passwordHint']);
  });

  it('fails for a new entity type, whose every field needs a row', () => {
    const withNewEntity = `${supergraph}\ntype Secret @join__type(graph: IDENTITY, key: "id") {\n  id: ID!\n  value: String\n}\n`;
    expect(policyGaps(withNewEntity).missing).toEqual(['Secret.id', 'Secret.value', 'type Secret']);
  });
});
