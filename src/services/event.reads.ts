import { adminOrOwnDevices, ownedBy, ownedThroughDevice, requireScope } from '../auth/access';
import { actorOf, isAdmin, type ActingContext } from '../auth/actor';
import {
  cursorParts,
  encodeCursor,
  pageRequest,
  readChildPages,
  readPage,
  type Connection,
  type Keyset,
  type PageRequest,
  type PagingArgs,
  type ReadPage,
} from '../db/pagination';
import { recordsByIds, type RecordSource } from '../db/point-lookups';
import { instant, prepared, read, uuidArray, xidArray, type Row } from '../db/sql';
import type { EventAnnouncement } from '../db/event-announcements';
import type { ForkContext } from '../db/fork-context';
import type { EventRecord } from '../entities';
import { firstIdAt } from '../entities/ids';
import { InvalidInputError, NotFoundError } from '../shared/errors';
import { groupBy } from '../shared/group-by';
import * as valid from './validation';

/** Time window and page of an `events` list; loaders batch every device that shares them. */
export interface EventWindowArgs {
  readonly page: PageRequest;
  readonly from: string | null;
  readonly to: string | null;
}

export interface EventFilter extends PagingArgs {
  deviceId?: string | null;
  from?: Date | null;
  to?: Date | null;
}

const CURSOR = 'event';
const COLUMNS = 'id, device_id, occurred_at, consumption, unit';
/** The window and keyset conditions every events list shares; parameters: from ×2, to ×2, after (instant ×2, id). */
const WINDOW = `(?::timestamptz is null or occurred_at >= ?::timestamptz)
  and (?::timestamptz is null or occurred_at < ?::timestamptz)`;
/** Every events list runs newest first, the id breaking ties; a cursor holds both. */
const NEWEST_FIRST: Keyset = {
  columns: [
    { expression: 'occurred_at', name: 'occurred_at', type: 'timestamptz' },
    { expression: 'id', name: 'id', type: 'uuid' },
  ],
  descending: true,
};

function toEventRecord(row: Row): EventRecord {
  return {
    id: row.id as string,
    device: { id: row.device_id as string },
    occurredAt: instant(row.occurred_at),
    consumption: row.consumption as string,
    unit: row.unit as string,
  };
}

/** The events the caller may see: their own devices' (every one for an ADMIN). */
const VISIBLE = ownedThroughDevice('device_id');
const SCOPE = 'events:read';

/** Where event records come from. */
const EVENTS: RecordSource<EventRecord> = { table: 'events', columns: COLUMNS, toRecord: toEventRecord, condition: VISIBLE.sql };

/**
 * The readings counted per device as they are written (device_event_counts, kept by triggers on
 * `events`), of the devices the caller may see: a few rows per device, however many readings it has.
 */
const COUNTED_VISIBLE = ownedThroughDevice('c.device_id');
const COUNTS_BY_DEVICE = prepared(
  'event-counts-by-device',
  `select c.device_id, sum(c.count) as count from device_event_counts c
    where c.device_id = any(?::uuid[]) and ${COUNTED_VISIBLE.sql} group by c.device_id`,
);

/** The same, split for a plan per kind of caller (see listEvents). */
const SPLIT = adminOrOwnDevices('owned');

/** The parents of a child list of devices (`parent.id`) that the caller may see; the others get nothing. */
const PARENT_VISIBLE = ownedThroughDevice('parent.id');

function windowParams(args: Pick<EventWindowArgs, 'from' | 'to'>): unknown[] {
  return [args.from, args.from, args.to, args.to];
}

/** Opaque position of an event in a newest-first list. */
export function eventCursor(event: EventRecord): string {
  return encodeCursor(CURSOR, [event.occurredAt.toISOString(), event.id]);
}

/** Validates `events(first, after, last, before, from, to)` arguments. */
export function eventWindowArgs(filter: Omit<EventFilter, 'deviceId'>): EventWindowArgs {
  if (filter.from && filter.to && filter.from.getTime() > filter.to.getTime()) {
    throw new InvalidInputError('from', '`from` must not be after `to`');
  }
  return {
    page: pageRequest(CURSOR, filter, [cursorParts.instant, cursorParts.id]),
    from: filter.from?.toISOString() ?? null,
    to: filter.to?.toISOString() ?? null,
  };
}

/** Events by id (null where none), in one statement: the `eventById` loader's batch. */
export async function eventRecordsByIds(ctx: ActingContext, ids: readonly string[]): Promise<Array<EventRecord | null>> {
  requireScope(ctx, SCOPE);
  return recordsByIds(ctx, EVENTS, ids, VISIBLE.params(ctx.caller));
}

/** A page of the events the caller may see, newest first, read either way, optionally of one device and within [from, to). */
export async function listEvents(ctx: ActingContext, filter: EventFilter): Promise<Connection<EventRecord>> {
  requireScope(ctx, SCOPE);
  const args = eventWindowArgs(filter);
  const deviceId = filter.deviceId === null || filter.deviceId === undefined ? null : valid.id('deviceId', filter.deviceId);
  const filters = `(?::uuid is null or device_id = ?::uuid) and ${WINDOW}`;
  const filterValues = [deviceId, deviceId, ...windowParams(args)];
  return readPage(ctx, {
    table: 'events',
    where: `${filters} and ${VISIBLE.sql}`,
    values: [...filterValues, ...VISIBLE.params(ctx.caller)],
    keyset: NEWEST_FIRST,
    toRecord: toEventRecord,
    cursorOf: eventCursor,
    // An ADMIN's page walks the newest readings; anyone else's starts from their own devices, the
    // newest of each (a page costs what the caller owns, not what the table holds).
    readRows: (keyset, limit) => ({
      sql: `select * from (
          (select ${COLUMNS} from events where ${filters} and ${SPLIT.admin.sql} and ${keyset.condition} order by ${keyset.order} limit ?)
          union all
          (select * from (
            select e.* from devices owned cross join lateral (
              select ${COLUMNS} from events where device_id = owned.id and ${filters} and ${keyset.condition} order by ${keyset.order} limit ?
            ) e where ${SPLIT.owner.sql}
          ) mine order by ${keyset.orderByName} limit ?)
        ) page order by ${keyset.orderByName} limit ?`,
      values: [
        ...filterValues, ...SPLIT.admin.params(ctx.caller), ...keyset.values, limit,
        ...filterValues, ...keyset.values, limit, ...SPLIT.owner.params(ctx.caller), limit,
        limit,
      ],
    }),
    // Without a window, the kept counts; a window counts the readings of its range.
    ...(args.from === null &&
      args.to === null && {
        countRows: async () => {
          const [row] = await read<{ count: string | null }>(ctx,
            `select sum(c.count) as count from device_event_counts c where (?::uuid is null or c.device_id = ?::uuid) and ${COUNTED_VISIBLE.sql}`,
            [deviceId, deviceId, ...COUNTED_VISIBLE.params(ctx.caller)],
          );
          return Number(row?.count ?? 0);
        },
      }),
  }, args.page);
}

/** The page of `args` of each device's events in their window: one statement for all devices. */
export async function eventPagesByDevice(
  ctx: ActingContext,
  deviceIds: readonly string[],
  args: EventWindowArgs,
): Promise<Map<string, ReadPage<EventRecord>>> {
  requireScope(ctx, SCOPE);
  return readChildPages(ctx, {
    columns: COLUMNS,
    table: 'events',
    where: `device_id = parent.id and ${WINDOW}`,
    values: windowParams(args),
    parentVisible: PARENT_VISIBLE.sql,
    parentVisibleValues: PARENT_VISIBLE.params(ctx.caller),
    keyset: NEWEST_FIRST,
    toRecord: toEventRecord,
  }, deviceIds, args.page);
}

/** The newest events of each device, no window, no cursor; parameters: the device ids, how many per device, the caller's visibility. */
const NEWEST = prepared(
  'newest-events-by-device',
  `select e.* from unnest(?::uuid[]) as parent(id)
    cross join lateral (
      select ${COLUMNS} from events where device_id = parent.id order by occurred_at desc, id desc limit ?
    ) e
    where ${PARENT_VISIBLE.sql}`,
);

/** The newest `count` events of each device, newest first: one statement for all devices. */
export async function newestEventsByDevice(ctx: ActingContext, deviceIds: readonly string[], count: number): Promise<Map<string, EventRecord[]>> {
  requireScope(ctx, SCOPE);
  const rows = await read(ctx, NEWEST, [uuidArray(deviceIds), count, ...PARENT_VISIBLE.params(ctx.caller)]);
  return groupBy(rows.map(toEventRecord), (event) => event.device.id);
}

/** How many events each device has in the window (all of them: the kept counts): one statement for all devices. */
export async function eventCountsByDevice(
  ctx: ActingContext,
  deviceIds: readonly string[],
  window: Pick<EventWindowArgs, 'from' | 'to'>,
): Promise<Map<string, number>> {
  requireScope(ctx, SCOPE);
  const rows =
    window.from === null && window.to === null
      ? await read<{ device_id: string; count: string }>(ctx, COUNTS_BY_DEVICE, [uuidArray(deviceIds), ...COUNTED_VISIBLE.params(ctx.caller)])
      : await read<{ device_id: string; count: string }>(ctx,
          `select device_id, count(*) as count from events where device_id = any(?::uuid[]) and ${WINDOW} and ${VISIBLE.sql} group by device_id`,
          [uuidArray(deviceIds), ...windowParams(window), ...VISIBLE.params(ctx.caller)],
        );
  return new Map(rows.map((row) => [row.device_id, Number(row.count)]));
}

/** A reading as announced to subscribers: the record, and who owns its device (whom it is visible to). */
export interface AnnouncedEvent {
  readonly event: EventRecord;
  readonly ownerId: string;
}

const ANNOUNCED = prepared(
  'announced-events',
  `select e.id, e.device_id, e.occurred_at, e.consumption, e.unit, d.owner_id
     from events e join devices d on d.id = e.device_id
    where e.id between ?::uuid and ?::uuid and e.xmin = ?::xid
    order by e.id`,
);

/**
 * The readings of one announcement (see db/event-announcements.ts), in the order they were recorded:
 * read once for every subscriber of this instance, whose own visibility is applied to them afterwards.
 * Readings deleted since (their device deleted) are missing.
 */
export async function announcedEvents(ctx: ForkContext, announcement: EventAnnouncement): Promise<AnnouncedEvent[]> {
  const rows = await read(ctx, ANNOUNCED, [announcement.from, announcement.to, announcement.xid]);
  return rows.map((row) => ({ event: toEventRecord(row), ownerId: row.owner_id as string }));
}

/** A reading read for a catch-up, with its writing transaction's id (as announcements name it). */
export interface RecordedEvent extends AnnouncedEvent {
  readonly xid: string;
}

const TRANSACTIONS_SINCE = prepared(
  'transactions-recorded-since',
  'select xmin::text as xid, count(*)::int as count from events where id >= ?::uuid group by xmin',
);

const RECORDED_BY = prepared(
  'events-recorded-by',
  `select e.id, e.device_id, e.occurred_at, e.consumption, e.unit, d.owner_id, e.xmin::text as xid
     from events e join devices d on d.id = e.device_id
    where e.id >= ?::uuid and e.xmin = any(?::xid[])
    order by e.id`,
);

/**
 * The readings made at or after `since` (their ids are UUIDv7s made as they are recorded: a range of
 * the primary key) by transactions not `delivered`, in the order they were made: what a subscriber may
 * have missed while announcements were not heard; null when there are more than `limit`. The
 * transactions are looked up first (one row each), so readings already delivered are never read again.
 * Every subscriber's audience is applied to them afterwards.
 */
export async function eventsRecordedSince(
  ctx: ForkContext,
  since: Date,
  delivered: (xid: string) => boolean,
  limit: number,
): Promise<RecordedEvent[] | null> {
  const firstId = firstIdAt(since);
  const missed = (await read<{ xid: string; count: number }>(ctx, TRANSACTIONS_SINCE, [firstId])).filter((row) => !delivered(row.xid));
  if (missed.length === 0) return [];
  if (missed.reduce((sum, row) => sum + row.count, 0) > limit) return null;
  const rows = await read(ctx, RECORDED_BY, [firstId, xidArray(missed.map((row) => row.xid))]);
  return rows.map((row) => ({ event: toEventRecord(row), ownerId: row.owner_id as string, xid: row.xid as string }));
}

/** The devices the caller may see, by their `owner_id` (for a subscription's `deviceId`). */
const DEVICE_VISIBLE = ownedBy('owner_id');

/**
 * Which announced readings a subscriber to `eventRecorded` hears: those of the devices it may see (an
 * ADMIN's by token: all; anyone else: their own), with `events:read` for an API key; only `deviceId`'s
 * when given (NOT_FOUND when the caller may not see that device). Decided when the subscription
 * starts; nested fields of each reading are resolved with the usual visibility.
 */
export async function eventAudience(ctx: ActingContext, deviceId: string | null | undefined): Promise<(announced: AnnouncedEvent) => boolean> {
  requireScope(ctx, SCOPE);
  const actor = await actorOf(ctx);
  const device = deviceId === null || deviceId === undefined ? null : valid.id('deviceId', deviceId);
  if (device !== null) {
    const found = await read(ctx, `select id from devices where id = ?::uuid and ${DEVICE_VISIBLE.sql}`, [device, ...DEVICE_VISIBLE.params(ctx.caller)]);
    if (found.length === 0) throw new NotFoundError('Device', device, 'deviceId');
  }
  const all = isAdmin(actor);
  return ({ event, ownerId }) => (device === null || event.device.id === device) && (all || ownerId === actor.userId);
}
