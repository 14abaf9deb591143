import { Event, Node } from '../entities';
import { groupBy } from '../shared/group-by';
import type { ServiceContext } from './context';
import { InvalidInputError, NotFoundError } from './errors';
import { findByIds } from './lookup';
import { cursorParts, decodeCursor, encodeCursor, pageSize, toConnection, type Connection } from './pagination';
import { uuidArray } from './sql';
import * as valid from './validation';

export interface RecordEventData {
  nodeId: string;
  consumption: string;
  unit: string;
  occurredAt?: Date | null;
}

/** Time window and page of a node's `events` list; loaders batch every node that shares them. */
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
  nodeId?: string | null;
  from?: Date | null;
  to?: Date | null;
}

export const MAX_EVENTS_PER_BATCH = 10_000;
/** Devices' clocks drift; readings stamped a little ahead of ours are accepted. */
const CLOCK_SKEW_MS = 5 * 60_000;
const CURSOR = 'event';

export function eventCursor(event: Event): string {
  return encodeCursor(CURSOR, [event.occurredAt.toISOString(), event.id]);
}

/** Records one reading of an active node. */
export async function recordEvent(ctx: ServiceContext, data: RecordEventData): Promise<Event> {
  const [event] = await recordEventsAt(ctx, [data], (_index, field) => `input.${field}`);
  return event!;
}

/** Records many readings (at most 10,000) in the operation's unit of work: all of them, or none. */
export async function recordEvents(ctx: ServiceContext, inputs: readonly RecordEventData[]): Promise<Event[]> {
  if (inputs.length === 0 || inputs.length > MAX_EVENTS_PER_BATCH) {
    throw new InvalidInputError('inputs', `Send from 1 to ${MAX_EVENTS_PER_BATCH} readings at a time (got ${inputs.length})`);
  }
  return recordEventsAt(ctx, inputs, (i, field) => `inputs[${i}].${field}`);
}

async function recordEventsAt(
  ctx: ServiceContext,
  inputs: readonly RecordEventData[],
  fieldOf: (index: number, field: string) => string,
): Promise<Event[]> {
  const now = Date.now();
  const readings = inputs.map((input, i) => {
    const occurredAt = input.occurredAt ?? new Date(now);
    if (occurredAt.getTime() > now + CLOCK_SKEW_MS) {
      throw new InvalidInputError(fieldOf(i, 'occurredAt'), 'A reading cannot be more than 5 minutes in the future');
    }
    return {
      nodeId: valid.id(fieldOf(i, 'nodeId'), input.nodeId),
      consumption: valid.consumption(fieldOf(i, 'consumption'), input.consumption),
      unit: valid.unit(fieldOf(i, 'unit'), input.unit),
      occurredAt,
    };
  });
  const nodeIds = [...new Set(readings.map((r) => r.nodeId))];
  const nodes = new Map((await findByIds(ctx.em, Node, nodeIds)).flatMap((node) => (node ? [[node.id, node]] : [])));
  return readings.map((reading, i) => {
    const node = nodes.get(reading.nodeId);
    if (!node) throw new NotFoundError('Node', reading.nodeId, fieldOf(i, 'nodeId'));
    if (!node.active) throw new InvalidInputError(fieldOf(i, 'nodeId'), 'The node is deactivated');
    const event = ctx.em.create(Event, {
      node,
      occurredAt: reading.occurredAt,
      consumption: reading.consumption,
      unit: reading.unit,
    });
    ctx.em.persist(event);
    return event;
  });
}

export function eventsByIds(ctx: ServiceContext, ids: readonly string[]): Promise<Array<Event | null>> {
  return findByIds(ctx.em, Event, ids);
}

/** A page of events, newest first, optionally of one node and within [from, to). */
export async function listEvents(ctx: ServiceContext, filter: EventFilter): Promise<Connection<Event>> {
  const args = eventWindowArgs(filter);
  const where: Record<string, unknown> = {};
  if (filter.nodeId !== null && filter.nodeId !== undefined) where.node = valid.id('nodeId', filter.nodeId);
  if (args.from || args.to) where.occurredAt = { ...(args.from && { $gte: args.from }), ...(args.to && { $lt: args.to }) };
  const page = args.after
    ? { $or: [{ occurredAt: { $lt: args.after.occurredAt } }, { occurredAt: args.after.occurredAt, id: { $lt: args.after.id } }] }
    : {};
  const rows = await ctx.em.find(Event, { ...where, ...page }, { orderBy: { occurredAt: 'desc', id: 'desc' }, limit: args.first + 1 });
  return toConnection(rows, args.first, eventCursor, () => ctx.em.count(Event, where));
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

/** The first `args.first + 1` events of each node in the window, newest first: one statement for all nodes. */
export async function eventPagesByNode(
  ctx: ServiceContext,
  nodeIds: readonly string[],
  args: EventWindowArgs,
): Promise<Map<string, Event[]>> {
  const rows = await ctx.em.execute<Array<Record<string, unknown>>>(
    `select e.* from unnest(?::uuid[]) as parent(id)
     cross join lateral (
       select * from events
       where node_id = parent.id
         and (?::timestamptz is null or occurred_at >= ?::timestamptz)
         and (?::timestamptz is null or occurred_at < ?::timestamptz)
         and (?::timestamptz is null or (occurred_at, id) < (?::timestamptz, ?::uuid))
       order by occurred_at desc, id desc
       limit ?
     ) e`,
    [
      uuidArray(nodeIds),
      args.from, args.from,
      args.to, args.to,
      args.after?.occurredAt ?? null, args.after?.occurredAt ?? null, args.after?.id ?? null,
      args.first + 1,
    ],
  );
  return groupBy(rows.map((row) => ctx.em.map(Event, row)), (event) => event.node.id);
}

/** How many events each node has in the window: one statement for all nodes. */
export async function eventCountsByNode(
  ctx: ServiceContext,
  nodeIds: readonly string[],
  window: Pick<EventWindowArgs, 'from' | 'to'>,
): Promise<Map<string, number>> {
  const rows = await ctx.em.execute<Array<{ node_id: string; count: string }>>(
    `select node_id, count(*) as count from events
     where node_id = any(?::uuid[])
       and (?::timestamptz is null or occurred_at >= ?::timestamptz)
       and (?::timestamptz is null or occurred_at < ?::timestamptz)
     group by node_id`,
    [uuidArray(nodeIds), window.from, window.from, window.to, window.to],
  );
  return new Map(rows.map((row) => [row.node_id, Number(row.count)]));
}

/** The newest event of each node: one statement for all nodes. */
export async function latestEventsByNode(ctx: ServiceContext, nodeIds: readonly string[]): Promise<Map<string, Event>> {
  const rows = await ctx.em.execute<Array<Record<string, unknown>>>(
    `select e.* from unnest(?::uuid[]) as parent(id)
     cross join lateral (
       select * from events where node_id = parent.id order by occurred_at desc, id desc limit 1
     ) e`,
    [uuidArray(nodeIds)],
  );
  return new Map(rows.map((row) => ctx.em.map(Event, row)).map((event) => [event.node.id, event]));
}
