import { QueryFailedError } from 'typeorm';
import { conflict } from '@compliance-graph/auth';

const UNIQUE_VIOLATION = '23505';

/**
 * Runs `work` and answers CONFLICT with the constraint's message when a unique index refused its
 * write: the index, not a check before the insert, decides between two racing requests.
 */
export async function withUniqueConflicts<T>(messages: Readonly<Record<string, string>>, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const { code, constraint } = error as { code?: string; constraint?: string };
    if (error instanceof QueryFailedError && code === UNIQUE_VIOLATION && constraint && messages[constraint]) throw conflict(messages[constraint]);
    throw error;
  }
}
