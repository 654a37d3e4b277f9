/**
 * Calls under one key while the first is still running wait for its outcome instead of starting
 * their own. Nothing outlives the call: the key is free again as soon as it settles, so this
 * merges concurrent work and caches nothing.
 */
export class InFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  /** `start`'s outcome, or that of the identical call in flight (then `onJoined` is told). */
  share(key: string, start: () => Promise<T>, onJoined: () => void): Promise<T> {
    const running = this.running.get(key);
    if (running) {
      onJoined();
      return running;
    }
    const started = start().finally(() => this.running.delete(key));
    this.running.set(key, started);
    return started;
  }
}
