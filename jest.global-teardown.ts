import type { RunningPostgres } from './packages/db/src/embedded';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { embeddedPostgres?: RunningPostgres }).embeddedPostgres?.stop();
}
