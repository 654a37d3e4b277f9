import 'reflect-metadata';
import { graphql } from 'graphql';
import { Query, Resolver } from 'type-graphql';
import { allow } from '@compliance-graph/auth';
import { buildFederatedSchema } from '../src';

@Resolver()
class GreetingResolver {
  constructor(private readonly greeting: string) {}

  @Query(() => String)
  greet(): string {
    return this.greeting;
  }
}

@Resolver()
class CountResolver {
  constructor(private readonly total: number) {}

  @Query(() => Number)
  count(): number {
    return this.total;
  }
}

const resolvers = [GreetingResolver, CountResolver] as const;
const rules = { Query: { greet: allow, count: allow } };

describe('resolver instances', () => {
  it('run the instances the app built, one per declared class', async () => {
    const schema = await buildFederatedSchema({ resolvers, rules, inputLimits: {}, instances: [new GreetingResolver('hello'), new CountResolver(3)] });
    expect(await graphql({ schema, source: '{ greet count }' })).toEqual({ data: { greet: 'hello', count: 3 } });
  });

  it('refuse instances that do not match the declared classes, at compile time and at start', async () => {
    await expect(
      // @ts-expect-error the instances are in the wrong order
      buildFederatedSchema({ resolvers, rules, inputLimits: {}, instances: [new CountResolver(3), new GreetingResolver('hello')] }),
    ).rejects.toThrow('resolver 0 must be an instance of GreetingResolver');
    await expect(
      // @ts-expect-error an instance is missing
      buildFederatedSchema({ resolvers, rules, inputLimits: {}, instances: [new GreetingResolver('hello')] }),
    ).rejects.toThrow('resolver 1 must be an instance of CountResolver');
  });
});
