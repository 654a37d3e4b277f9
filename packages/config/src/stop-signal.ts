const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * The one way every process stops: aborts the returned signal on the first SIGINT (Ctrl-C),
 * SIGTERM (container stop) or SIGHUP (terminal closed), after calling `onStop`. Later signals
 * are swallowed rather than left to their default, which would kill the process half-way
 * through stopping and orphan whatever it had not stopped yet (the launcher's services, a
 * benchmark's database); the stop timeouts bound how long that takes instead.
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
