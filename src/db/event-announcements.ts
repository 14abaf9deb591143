import pg from 'pg';
import type { EventRecord } from '../entities';
import type { Logger } from '../logger';

/** The channel on which committed readings are announced. */
export const EVENTS_CHANNEL = 'aquamind_events';

/**
 * The readings one statement of a transaction wrote, by reference: the writing transaction and the
 * range of their ids (UUIDv7s, made in order by one process). A payload of PostgreSQL's NOTIFY holds at
 * most 8,000 bytes, so 10,000 readings are announced in one small message, and read by who hears it.
 */
export interface EventAnnouncement {
  /** The writing transaction's id (`xid`): the readings' `xmin`. */
  readonly xid: string;
  readonly from: string;
  readonly to: string;
  readonly count: number;
  /** When the writing statement ran (Unix seconds, the database's clock): just before the commit. */
  readonly at: number;
}

/**
 * The announcement of a statement's readings, to follow in the statement that writes them (its values:
 * {@link announcementValues}). PostgreSQL delivers it when the writing transaction commits, and drops
 * it when that rolls back, so only committed readings are ever heard of.
 */
export const ANNOUNCE = `select pg_notify('${EVENTS_CHANNEL}', json_build_object('xid', pg_current_xact_id()::xid::text, 'from', ?::text, 'to', ?::text, 'count', ?::int, 'at', extract(epoch from clock_timestamp()))::text)`;

/** The values of {@link ANNOUNCE} for `rows`: the range of their ids, and how many. */
export function announcementValues(rows: readonly EventRecord[]): [string, string, number] {
  let from = rows[0]!.id;
  let to = from;
  for (const { id } of rows) {
    if (id < from) from = id;
    if (id > to) to = id;
  }
  return [from, to, rows.length];
}

function parseAnnouncement(payload: string | undefined): EventAnnouncement | undefined {
  try {
    const value = JSON.parse(payload ?? '') as Partial<EventAnnouncement>;
    if (typeof value.xid === 'string' && typeof value.from === 'string' && typeof value.to === 'string' && typeof value.count === 'number' && typeof value.at === 'number') {
      return value as EventAnnouncement;
    }
  } catch {
    // Not ours: ignored below.
  }
  return undefined;
}

/** How long connecting and LISTEN may take before the listener gives up and tries again. */
const CONNECT_TIMEOUT_MS = 5_000;

/** What listens to the announcements: `stop` ends it. */
export interface AnnouncementListener {
  stop(): Promise<void>;
}

/**
 * Listens for announced readings on a connection of its own (outside the pool: LISTEN holds it), so a
 * reading committed through any instance on the database is heard by this one. When the connection
 * drops, it says so (`onGap`: what was announced meanwhile is not heard) and listens again, retrying
 * with a growing pause; `onListening` tells each time it listens (again).
 */
export function listenForEvents(
  url: string,
  logger: Logger,
  handlers: { onAnnouncement(announcement: EventAnnouncement): void; onGap(): void; onListening?(): void },
): AnnouncementListener {
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let pauseMs = 100;

  const connect = async () => {
    // A connection attempt or a LISTEN that hangs (the server gone mid-handshake) is given up, and retried.
    const current = new pg.Client({ connectionString: url, application_name: 'aquamind-listener', connectionTimeoutMillis: CONNECT_TIMEOUT_MS, query_timeout: CONNECT_TIMEOUT_MS });
    client = current;
    current.on('notification', (message) => {
      const announcement = message.channel === EVENTS_CHANNEL ? parseAnnouncement(message.payload) : undefined;
      if (announcement) handlers.onAnnouncement(announcement);
    });
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost || stopped) return;
      lost = true;
      logger.warn({ err: error }, 'the connection listening for readings dropped: listening again');
      handlers.onGap();
      void current.end().catch(() => undefined);
      retry = setTimeout(() => void connect(), pauseMs);
      pauseMs = Math.min(pauseMs * 2, 2_000);
    };
    current.on('error', onLost);
    current.on('end', () => onLost());
    try {
      await current.connect();
      await current.query(`listen ${EVENTS_CHANNEL}`);
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
