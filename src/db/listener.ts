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
    // What happened to this connection is told in the order it happened, once each: it listens, then
    // (maybe) it drops. Both are decided as pg reads the server's messages, not in a later promise
    // continuation: the server's "listening" (LISTEN's ReadyForQuery), a notification and its closing
    // error can come in one read, and a continuation would run after all of them, telling a
    // connection that already dropped to be listening.
    let listening = false;
    let lost = false;
    const onListening = () => {
      if (listening || lost || stopped) return;
      listening = true;
      pauseMs = 100;
      handlers.onListening?.();
    };
    const onLost = (error?: Error) => {
      if (lost || stopped) return;
      lost = true;
      logger.warn({ err: error, channel }, 'a connection listening for notifications dropped: listening again');
      handlers.onGap();
      void current.end().catch(() => undefined);
      retry = setTimeout(() => void connect(), pauseMs);
      pauseMs = Math.min(pauseMs * 2, 2_000);
    };
    current.on('notification', (message) => {
      if (message.channel !== channel || lost) return;
      // A notification proves the LISTEN took effect, even one the server sends before LISTEN's reply.
      onListening();
      handlers.onNotification(message.payload);
    });
    current.on('error', onLost);
    current.on('end', () => onLost());
    try {
      await current.connect();
    } catch (error) {
      onLost(error as Error);
      return;
    }
    // Its callback runs as pg reads LISTEN's reply, before any message that follows it in the same read.
    current.query(`listen ${channel}`, (error: Error | null) => (error ? onLost(error) : onListening()));
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
