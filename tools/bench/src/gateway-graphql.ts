/** A GraphQL call through the gateway that must succeed: its data, or an error naming the operation and what came back. */
export function gatewayGraphql(gatewayUrl: string) {
  return async (query: string, variables: Record<string, unknown>, token?: string) => {
    const answer = await fetch(`${gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await answer.json()) as { data?: any; errors?: unknown };
    if (body.errors || !body.data) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(body.errors)}`);
    return body.data;
  };
}
