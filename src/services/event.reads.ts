import { ownedThroughDevice, requireScope } from '../auth/access';
import type { ActingContext } from '../auth/actor';
import { cursorParts, decodeCursor, encodeCursor, pageSize, toConnection, type Connection } from '../db/pagination';
import { instant, prepared, read, recordsByIds, uuidArray, type RecordSource, type Row } from '../db/sql';
import type { EventRecord } from '../entities';
import { InvalidInputError } from '../shared/errors';
import { groupBy } from '../shared/group-by';
import * as valid from './validation';

/** Time window and page of an `events` list; loaders batch every device that shares them. */
export interface EventWindowArgs {
  first: number;
  /** Keyset position: the (occurredAt, id) of the last event of the previous page. */
  after: { occurredAt: string; id: string } | null;
  from: string | null;
  to: string | null;
}

export interface EventFilter {
  first?: number | null;
  after?: string | null;
  deviceId?: string | null;
  from?: Date | null;
  to?: Date | null;
}

const CURSOR = 'event';
const COLUMNS = 'id, device_id, occurred_at, consumption, unit';
/** The window and keyset conditions every events list shares; parameters: from ×2, to ×2, after (instant ×2, id). */
const WINDOW = `(?::timestamptz is null or occurred_at >= ?::timestamptz)
  and (?::timestamptz is null or occurred_at < ?::timestamptz)`;
const AFTER = '(?::timestamptz is null or (occurred_at, id) < (?::timestamptz, ?::uuid))';

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

/** The parents of a child list of devices (`parent.id`) that the caller may see; the others get nothing. */
const PARENT_VISIBLE = ownedThroughDevice('parent.id');

function windowParams(args: Pick<EventWindowArgs, 'from' | 'to'>): unknown[] {
  return [args.from, args.from, args.to, args.to];
}

function afterParams(args: EventWindowArgs): unknown[] {
  return [args.after?.occurredAt ?? null, args.after?.occurredAt ?? null, args.after?.id ?? null];
}

/** Opaque position of an event in a newest-first list. */
export function eventCursor(event: EventRecord): string {
  return encodeCursor(CURSOR, [event.occurredAt.toISOString(), event.id]);
}

/** Validates `events(first, after, from, to)` arguments. */
export function eventWindowArgs(filter: Pick<EventFilter, 'first' | 'after' | 'from' | 'to'>): EventWindowArgs {
  const cursor = decodeCursor(CURSOR, filter.after, [cursorParts.instant, cursorParts.id]);
  if (filter.from && filter.to && filter.from.getTime() > filter.to.getTime()) {
    throw new InvalidInputError('from', '`from` must not be after `to`');
  }
  return {
    first: pageSize(filter.first),
    after: cursor ? { occurredAt: cursor[0]!, id: cursor[1]! } : null,
    from: filter.from?.toISOString() ?? null,
    to: filter.to?.toISOString() ?? null,
  };
}

/** Events by id (null where none), in one statement: the `eventById` loader's batch. */
export async function eventRecordsByIds(ctx: ActingContext, ids: readonly string[]): Promise<Array<EventRecord | null>> {
  requireScope(ctx, SCOPE);
  return recordsByIds(ctx, EVENTS, ids, VISIBLE.params(ctx.caller));
}

/** A page of the events the caller may see, newest first, optionally of one device and within [from, to). */
export async function listEvents(ctx: ActingContext, filter: EventFilter): Promise<Connection<EventRecord>> {
  requireScope(ctx, SCOPE);
  const args = eventWindowArgs(filter);
  const deviceId = filter.deviceId === null || filter.deviceId === undefined ? null : valid.id('deviceId', filter.deviceId);
  const where = `(?::uuid is null or device_id = ?::uuid) and ${WINDOW} and ${VISIBLE.sql}`;
  const whereParams = [deviceId, deviceId, ...windowParams(args), ...VISIBLE.params(ctx.caller)];
  const rows = await read(ctx,
    `select ${COLUMNS} from events where ${where} and ${AFTER} order by occurred_at desc, id desc limit ?`,
    [...whereParams, ...afterParams(args), args.first + 1],
  );
  return toConnection(rows.map(toEventRecord), args.first, eventCursor, async () => {
    const [row] = await read<{ count: string }>(ctx, `select count(*) as count from events where ${where}`, whereParams);
    return Number(row!.count);
  });
}

/** The first `args.first + 1` events of each device in the window, newest first: one statement for all devices. */
export async function eventPagesByDevice(
  ctx: ActingContext,
  deviceIds: readonly string[],
  args: EventWindowArgs,
): Promise<Map<string, EventRecord[]>> {
  requireScope(ctx, SCOPE);
  const rows = await read(ctx,
    `select e.* from unnest(?::uuid[]) as parent(id)
     cross join lateral (
       select ${COLUMNS} from events
       where device_id = parent.id and ${WINDOW} and ${AFTER}
       order by occurred_at desc, id desc
       limit ?
     ) e
     where ${PARENT_VISIBLE.sql}`,
    [uuidArray(deviceIds), ...windowParams(args), ...afterParams(args), args.first + 1, ...PARENT_VISIBLE.params(ctx.caller)],
  );
  return groupBy(rows.map(toEventRecord), (event) => event.device.id);
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

/** How many events each device has in the window: one statement for all devices. */
export async function eventCountsByDevice(
  ctx: ActingContext,
  deviceIds: readonly string[],
  window: Pick<EventWindowArgs, 'from' | 'to'>,
): Promise<Map<string, number>> {
  requireScope(ctx, SCOPE);
  const rows = await read<{ device_id: string; count: string }>(ctx,
    `select device_id, count(*) as count from events where device_id = any(?::uuid[]) and ${WINDOW} and ${VISIBLE.sql} group by device_id`,
    [uuidArray(deviceIds), ...windowParams(window), ...VISIBLE.params(ctx.caller)],
  );
  return new Map(rows.map((row) => [row.device_id, Number(row.count)]));
}
