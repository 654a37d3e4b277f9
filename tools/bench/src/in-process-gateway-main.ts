// The app packages declare decorated classes, which need this first.
import 'reflect-metadata';
import type { LoginRole } from '@compliance-graph/db';
import { startStack, type Stack } from '@compliance-graph/stack';

/** What the gateway bench sends this child over IPC: the platform's database logins and secrets. */
export interface InProcessSetup {
  /** Each service's two logins, by its schema (the platform's own). */
  logins: Record<string, Record<LoginRole, string>>;
  env: Record<string, string>;
  /** The platform's token signing keys, so that its tokens verify here too. */
  signingKeysJson: string;
}

/** What this child answers once its gateway listens, or why it could not start. */
export type InProcessReady = { url: string } | { error: string };

/**
 * A child process of the gateway bench: the four subgraphs and our gateway in one process on
 * the platform's database, the gateway executing the subgraphs without HTTP (variant b). Its
 * CPU time is the whole platform's except PostgreSQL's. It stops when the bench disconnects.
 */
let stack: Stack | undefined;
process.once('message', (setup: InProcessSetup) => {
  startStack({ databaseLogins: (schema) => setup.logins[schema], env: setup.env, signingKeysJson: setup.signingKeysJson, inProcessSubgraphs: true }).then(
    (started) => {
      stack = started;
      process.send?.({ url: started.gatewayUrl } satisfies InProcessReady);
    },
    (error: unknown) => {
      process.send?.({ error: error instanceof Error ? error.message : String(error) } satisfies InProcessReady);
      process.exit(1);
    },
  );
});
process.once('disconnect', () => {
  void (stack?.stop() ?? Promise.resolve()).finally(() => process.exit(0));
});
