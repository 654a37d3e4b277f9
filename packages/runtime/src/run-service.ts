import { createLogger, stopSignal, type Logger } from '@compliance-graph/config';
import { startTracing } from './tracing';

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

/**
 * The body of every app's main.ts: tracing as the OTEL_* variables say (off by default), start,
 * stop cleanly on signals (the spans still buffered exported last), fail loudly.
 */
export function runService(service: string, start: () => Promise<{ stop(): Promise<void> }>): void {
  const logger = createLogger(service);
  const startTraced = async () => {
    const tracing = startTracing(service);
    const running = await start();
    return async () => {
      await running.stop();
      await tracing.stop();
    };
  };
  startTraced()
    .then((stop) => stopOnSignals(stop, logger))
    .catch((error) => {
      logger.error({ error }, 'failed to start');
      process.exit(1);
    });
}
