import type { Logger } from '../logger';

/**
 * Within this time a repeated signal is the same request to stop: `npm start` forwards to node the
 * signal that the terminal (Ctrl-C) or a process manager already sent to the whole process group, so
 * node gets each one twice.
 */
const SAME_SIGNAL_MS = 1_000;

/**
 * SIGINT and SIGTERM stop the process gracefully: the first calls `stop`; a repeat while it drains
 * says how to force an exit and changes nothing; the third calls `force`. Copies of one signal (see
 * {@link SAME_SIGNAL_MS}) count once.
 */
export function onStopSignals(
  logger: Logger,
  { stop, force }: { stop: (signal: NodeJS.Signals) => void; force: (signal: NodeJS.Signals) => void },
): void {
  let received = 0;
  let lastAt = Number.NEGATIVE_INFINITY;
  const handle = (signal: NodeJS.Signals) => {
    const now = performance.now();
    const copy = now - lastAt < SAME_SIGNAL_MS;
    lastAt = now;
    if (copy) return;
    received += 1;
    if (received === 1) stop(signal);
    else if (received === 2) logger.warn({ signal }, 'still stopping: answering the requests received; send the signal once more to exit at once');
    else {
      logger.error({ signal }, 'exiting at once: requests still running are cut');
      force(signal);
    }
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}
