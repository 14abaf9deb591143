import pg from 'pg';
import type { Logger } from '../logger';

/** How long connecting and LISTEN may take before the listener gives up and tries again. */
const CONNECT_TIMEOUT_MS = 5_000;

/** What listens on a channel: `stop` ends it. */
export interface Listener {
  stop(): Promise<void>;
}

/**
 * Listens on `channel` on a connection of its own (outside the pool: LISTEN holds it; never through a
 * transaction pooler), giving each notification's payload to `onNotification`. When the connection
 * drops, it says so (`onGap`: what was notified meanwhile is not heard) and listens again, retrying
 * with a growing pause; `onListening` tells each time it listens (again).
 */
export function listen(
  url: string,
  channel: string,
  logger: Logger,
  handlers: { onNotification(payload: string | undefined): void; onGap(): void; onListening?(): void },
): Listener {
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let pauseMs = 100;

  const connect = async () => {
    // A connection attempt or a LISTEN that hangs (the server gone mid-handshake) is given up, and retried.
    const current = new pg.Client({ connectionString: url, application_name: 'aquamind-listener', connectionTimeoutMillis: CONNECT_TIMEOUT_MS, query_timeout: CONNECT_TIMEOUT_MS });
    client = current;
    current.on('notification', (message) => {
      if (message.channel === channel) handlers.onNotification(message.payload);
    });
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost || stopped) return;
      lost = true;
      logger.warn({ err: error, channel }, 'a connection listening for notifications dropped: listening again');
      handlers.onGap();
      void current.end().catch(() => undefined);
      retry = setTimeout(() => void connect(), pauseMs);
      pauseMs = Math.min(pauseMs * 2, 2_000);
    };
    current.on('error', onLost);
    current.on('end', () => onLost());
    try {
      await current.connect();
      await current.query(`listen ${channel}`);
      pauseMs = 100;
      handlers.onListening?.();
    } catch (error) {
      onLost(error as Error);
    }
  };
  void connect();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(retry);
      await client?.end().catch(() => undefined);
    },
  };
}
