import 'reflect-metadata';
import { buildSchema } from 'graphql';
import { composeSupergraph, printSubgraphs } from '../src/compose';

describe('compose', () => {
  it('writes a client-facing API schema: the graph the gateway serves, without federation internals', async () => {
    const { supergraph, apiSchema } = composeSupergraph(await printSubgraphs());
    expect(supergraph).toContain('@join__type');
    for (const internal of ['join__', 'link__', '@link', '_entities', '_service', '_Any', 'inaccessible']) expect(apiSchema).not.toContain(internal);
    const schema = buildSchema(apiSchema);
    expect(Object.keys(schema.getQueryType()!.getFields())).toEqual(expect.arrayContaining(['viewer', 'members', 'auditEvents', 'evidence', 'subprocessors']));
    expect(schema.getType('User')).toBeDefined();
  });
});
