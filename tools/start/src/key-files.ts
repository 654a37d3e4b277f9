import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LaunchError } from './launch-error';

/**
 * Creates the keys directory readable by this user only. Only this directory is locked down:
 * when the launcher runs as root, PostgreSQL runs as `postgres` and must still reach its own
 * data directory next to it.
 */
export function ensureKeysDir(keysDir: string): void {
  mkdirSync(keysDir, { recursive: true });
  chmodSync(keysDir, 0o700);
}

/**
 * Returns the secret stored in `keysDir/file`, generating and storing it (mode 0600) on first
 * use, so later starts reuse it: a new key would orphan every token, signature and ciphertext
 * made with the old one.
 */
export async function readOrCreateKeyFile(
  keysDir: string,
  file: string,
  generate: () => string | Promise<string>,
): Promise<{ value: string; outcome: 'reused' | 'generated' }> {
  const path = join(keysDir, file);
  if (existsSync(path)) {
    const value = readFileSync(path, 'utf8').trim();
    if (!value) throw new LaunchError(`${path} is empty; delete it to have a new one generated`);
    return { value, outcome: 'reused' };
  }
  const value = await generate();
  // `wx`: a concurrent start fails rather than overwrite a key the other one already handed out.
  writeFileSync(path, `${value}\n`, { mode: 0o600, flag: 'wx' });
  return { value, outcome: 'generated' };
}
