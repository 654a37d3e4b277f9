/** What does not hold in the pack: the first one ends verification and is reported as it is. */
export class VerificationFailure extends Error {
  override readonly name = 'VerificationFailure';
}

export function fail(message: string): never {
  throw new VerificationFailure(message);
}
