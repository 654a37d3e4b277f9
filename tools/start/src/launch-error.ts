import { ConfigError } from '@compliance-graph/config';

/**
 * A failure the launcher has already put into words (a service that exited, a port that never
 * answered): the message is the whole story, and a stack trace would only bury it.
 */
export class LaunchError extends Error {
  override name = 'LaunchError';
}

export const isDescribedFailure = (error: unknown): error is Error =>
  error instanceof LaunchError || error instanceof ConfigError;

export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
