import { hash, verify } from '@node-rs/argon2';

/** OWASP's minimum for argon2id (m = 19 MiB, t = 2, p = 1). */
export const PASSWORD_HASH_PARAMETERS = {
  // Algorithm.Argon2id: a const enum, which isolated modules cannot import.
  algorithm: 2,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
};

export const hashPassword = (password: string) => hash(password, PASSWORD_HASH_PARAMETERS);

let dummyHash: Promise<string> | undefined;

/**
 * Verifies a password, or burns the same time against a dummy hash when there is no user, so
 * a failed login takes as long for an unknown email as for a wrong password.
 */
export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (passwordHash) return verify(passwordHash, password);
  dummyHash ??= hashPassword('dummy password that matches nothing');
  await verify(await dummyHash, password);
  return false;
}
