import { messageOf } from './launch-error';
import type { LauncherLog } from './log';

/**
 * What has been started so far, stopped in reverse order: the services before the database they
 * are connected to. Registered as each thing starts, so a failure half-way stops exactly that much.
 */
export class Teardown {
  private readonly steps: { name: string; stop: () => Promise<void> }[] = [];

  add(name: string, stop: () => Promise<void>): void {
    this.steps.push({ name, stop });
  }

  /** Runs every step even when one fails; resolves false if any did. */
  async run(log: LauncherLog): Promise<boolean> {
    let clean = true;
    for (const { name, stop } of [...this.steps].reverse()) {
      try {
        await stop();
      } catch (error) {
        clean = false;
        log.error({ error: messageOf(error) }, `stopping ${name} failed`);
      }
    }
    return clean;
  }
}
