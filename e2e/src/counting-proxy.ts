import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of a real subgraph that records every GraphQL request reaching it and
 * can hold them: a test counts what the gateway really sent, and keeps fetches in flight as long
 * as it needs. Every other route (identity's session check, say) passes straight through.
 */
export interface CountingProxy {
  url: string;
  /** The bodies of the GraphQL requests that reached it, held ones included. */
  readonly graphqlBodies: string[];
  /** Holds GraphQL requests from now on, until `release`. */
  hold(): void;
  /** Sends the held GraphQL requests on to the subgraph, and every later one at once. */
  release(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(upstreamUrl: string): Promise<CountingProxy> {
  const upstream = new URL(upstreamUrl);
  const graphqlBodies: string[] = [];
  let held: Array<() => void> | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const forward = () => {
        const onward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(res);
        });
        // A subgraph that is down drops the gateway's connection, as it would have itself.
        onward.on('error', () => res.destroy());
        onward.end(body);
      };
      if (req.url !== '/graphql') return forward();
      graphqlBodies.push(body.toString('utf8'));
      if (held) held.push(forward);
      else forward();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    graphqlBodies,
    hold() {
      held ??= [];
    },
    release() {
      const waiting = held ?? [];
      held = undefined;
      for (const forward of waiting) forward();
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
