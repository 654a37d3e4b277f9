import { buildSchema } from 'graphql';
import { withArgumentLimits } from './argument-limits';

describe('withArgumentLimits', () => {
  it('refuses to build a schema with a string argument that has no entry in INPUT_LIMITS', () => {
    const schema = buildSchema(`
      type Query { ok: Boolean }
      input ProfileInput { displayName: String! nickname: String }
      type Mutation { updateProfile(input: ProfileInput!): Boolean }
    `);
    expect(() => withArgumentLimits(schema)).toThrow('argument ProfileInput.nickname is a string without an entry in INPUT_LIMITS');
  });

  it('accepts a schema whose every string argument has a limit', () => {
    const schema = buildSchema(`type Query { user(id: ID!): Boolean } type Mutation { revoke(reason: String!, membershipId: [ID!]!): Boolean }`);
    expect(() => withArgumentLimits(schema)).not.toThrow();
  });
});
