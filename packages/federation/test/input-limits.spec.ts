import { buildSchema } from 'graphql';
import { withArgumentLimits } from '../src/input-limits';

describe('withArgumentLimits', () => {
  it('refuses to build a schema with a string argument that has no entry in the input limits', () => {
    const schema = buildSchema(`
      type Query { ok: Boolean }
      input ProfileInput { displayName: String! nickname: String }
      type Mutation { updateProfile(input: ProfileInput!): Boolean }
    `);
    expect(() => withArgumentLimits(schema, { displayName: { max: 200 } })).toThrow(
      'argument ProfileInput.nickname is a string without an entry in the subgraph\'s input limits',
    );
  });

  it('accepts a schema whose every string argument has a limit', () => {
    const schema = buildSchema(`type Query { user(id: ID!): Boolean } type Mutation { revoke(reason: String!, membershipId: [ID!]!): Boolean }`);
    expect(() => withArgumentLimits(schema, { id: { max: 36 }, reason: { max: 2000 }, membershipId: { max: 36 } })).not.toThrow();
  });
});
