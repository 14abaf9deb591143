import type { EventRecord } from '../entities';
import type { Logger } from '../logger';
import { listen, type Listener } from './listener';

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

/**
 * Listens for announced readings on a connection of its own (see {@link listen}), so a reading
 * committed through any instance on the database is heard by this one; `onGap`: what was announced
 * while the connection was down is not heard.
 */
export function listenForEvents(
  url: string,
  logger: Logger,
  handlers: { onAnnouncement(announcement: EventAnnouncement): void; onGap(): void; onListening?(): void },
): Listener {
  return listen(url, EVENTS_CHANNEL, logger, {
    onNotification: (payload) => {
      const announcement = parseAnnouncement(payload);
      if (announcement) handlers.onAnnouncement(announcement);
    },
    onGap: () => handlers.onGap(),
    onListening: () => handlers.onListening?.(),
  });
}
