import { Node, type NodeRecord } from '../entities';
import { groupBy } from '../shared/group-by';
import type { ServiceContext } from './context';
import { containsPattern, cursorParts, decodeCursor, idCursor, pageById, pageSize, type Connection } from './pagination';
import { instant, recordsByIds, uuidArray, type RecordSource, type Row } from './sql';
import * as valid from './validation';

export interface NodeFilter {
  first?: number | null;
  after?: string | null;
  ownerId?: string | null;
  active?: boolean | null;
  search?: string | null;
}

/** Arguments of a user's `nodes` list; loaders batch every owner that shares them. */
export interface OwnerNodesArgs {
  first: number;
  after: string | null;
}

/** Cursor kind of node lists (all nodes, and a user's). */
const NODE_CURSOR = 'node';

/** Opaque position of a row of a node list: its id (UUIDv7, so creation order). */
export function nodeCursor(node: NodeRecord): string {
  return idCursor(NODE_CURSOR, node);
}

const COLUMNS = 'id, owner_id, name, description, active, registered_at, version';

function toNodeRecord(row: Row): NodeRecord {
  return {
    id: row.id as string,
    owner: { id: row.owner_id as string },
    name: row.name as string,
    description: row.description as string | null,
    active: row.active as boolean,
    registeredAt: instant(row.registered_at),
    version: row.version as number,
  };
}

/** Where node records come from. */
const NODES: RecordSource<NodeRecord> = { table: 'nodes', columns: COLUMNS, toRecord: toNodeRecord };

/** Nodes by id (null where none), in one statement: the `nodeById` loader's batch. */
export function nodeRecordsByIds(ctx: ServiceContext, ids: readonly string[]): Promise<Array<NodeRecord | null>> {
  return recordsByIds(ctx, NODES, ids);
}

/** A page of nodes, oldest first. */
export function listNodes(ctx: ServiceContext, filter: NodeFilter): Promise<Connection<NodeRecord>> {
  const where: Record<string, unknown> = {};
  if (filter.ownerId !== null && filter.ownerId !== undefined) where.owner = valid.id('ownerId', filter.ownerId);
  if (filter.active !== null && filter.active !== undefined) where.active = filter.active;
  if (filter.search) {
    const pattern = containsPattern(valid.text('search', filter.search, { max: 100 }));
    where.$or = [{ name: { $ilike: pattern } }, { description: { $ilike: pattern } }];
  }
  return pageById(ctx.em, Node, NODE_CURSOR, where, filter, NODES);
}

/** Validates a user's `nodes(first, after)` arguments. */
export function ownerNodesArgs(first: number | null | undefined, after: string | null | undefined): OwnerNodesArgs {
  return { first: pageSize(first), after: decodeCursor(NODE_CURSOR, after, [cursorParts.id])?.[0] ?? null };
}

/** The first `args.first + 1` nodes of each owner, in one statement for all owners. */
export async function nodePagesByOwner(
  ctx: ServiceContext,
  ownerIds: readonly string[],
  args: OwnerNodesArgs,
): Promise<Map<string, NodeRecord[]>> {
  const rows = await ctx.em.execute<Row[]>(
    `select n.* from unnest(?::uuid[]) as parent(id)
     cross join lateral (
       select ${COLUMNS} from nodes where owner_id = parent.id and (?::uuid is null or id > ?::uuid) order by id limit ?
     ) n`,
    [uuidArray(ownerIds), args.after, args.after, args.first + 1],
  );
  return groupBy(rows.map(toNodeRecord), (node) => node.owner.id);
}

/** How many nodes each owner has, in one statement. */
export async function nodeCountsByOwner(ctx: ServiceContext, ownerIds: readonly string[]): Promise<Map<string, number>> {
  const rows = await ctx.em.execute<Array<{ owner_id: string; count: string }>>(
    'select owner_id, count(*) as count from nodes where owner_id = any(?::uuid[]) group by owner_id',
    [uuidArray(ownerIds)],
  );
  return new Map(rows.map((row) => [row.owner_id, Number(row.count)]));
}
