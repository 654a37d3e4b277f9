const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Aborts the returned signal on the first SIGINT (Ctrl-C), SIGTERM or SIGHUP (terminal closed).
 * Later signals are swallowed rather than left to their default, which would kill the launcher
 * half-way through stopping and orphan whatever it had not stopped yet; the stop timeouts bound
 * how long that takes instead.
 */
export function stopSignal(onStop: (signal: NodeJS.Signals) => void): AbortSignal {
  const stop = new AbortController();
  for (const signal of STOP_SIGNALS) {
    process.on(signal, () => {
      if (stop.signal.aborted) return;
      onStop(signal);
      stop.abort(signal);
    });
  }
  return stop.signal;
}
