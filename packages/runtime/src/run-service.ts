import { createLogger, stopSignal, type Logger } from '@compliance-graph/config';

/** Stops the service cleanly on a stop signal (Ctrl-C, container stop, terminal closed). */
function stopOnSignals(stop: () => Promise<void>, logger: Logger): void {
  stopSignal((signal) => {
    logger.info({ signal }, 'shutting down');
    stop()
      .then(() => process.exit(0))
      .catch((error) => {
        logger.error({ error }, 'shutdown failed');
        process.exit(1);
      });
  });
}

/** The body of every app's main.ts: start, stop cleanly on signals, fail loudly. */
export function runService(service: string, start: () => Promise<{ stop(): Promise<void> }>): void {
  const logger = createLogger(service);
  start()
    .then((running) => stopOnSignals(running.stop, logger))
    .catch((error) => {
      logger.error({ error }, 'failed to start');
      process.exit(1);
    });
}
