import { ownedBy, requireScope } from '../auth/access';
import type { ActingContext } from '../auth/actor';
import { containsPattern, cursorParts, decodeCursor, idCursor, pageSize, toConnection, type Connection } from '../db/pagination';
import { instant, prepared, read, uuidArray, type Row } from '../db/sql';
import type { NodeRecord, UserRecord } from '../entities';
import { groupBy } from '../shared/group-by';
import { joinedUserColumns } from './user.reads';
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

/**
 * Nodes as the reads of `node(id)` and `nodes` return them: with their owners' records, read in the
 * same statement, since a node is hardly ever shown without its owner.
 */
export interface WithOwners {
  readonly owners: readonly UserRecord[];
}

/** A page of the `nodes` list, with its nodes' owners. */
export type NodePage = Connection<NodeRecord> & WithOwners;

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

const OWNER = joinedUserColumns('u');
/** Nodes (`n`) joined with their owners (`u`). */
const NODES_WITH_OWNERS = `select ${COLUMNS.split(', ').map((column) => `n.${column}`).join(', ')}, ${OWNER.columns}
  from nodes n join users u on u.id = n.owner_id`;

/** The nodes the caller may see: their own (every one for an ADMIN). */
const VISIBLE = ownedBy('n.owner_id');
/** The parents of a child list of users (`parent.id`) that the caller may see; the others get nothing. */
const PARENT_VISIBLE = ownedBy('parent.id');
const SCOPE = 'nodes:read';

const NODES_BY_IDS = prepared('nodes-with-owners-by-id', `${NODES_WITH_OWNERS} where n.id = any(?::uuid[]) and ${VISIBLE.sql}`);

/** Every distinct owner of `rows` (rows of {@link NODES_WITH_OWNERS}). */
function ownersOf(rows: readonly Row[]): UserRecord[] {
  const owners = new Map<string, UserRecord>();
  for (const row of rows) {
    if (!owners.has(row.u_id as string)) owners.set(row.u_id as string, OWNER.toRecord(row));
  }
  return [...owners.values()];
}

/** Nodes by id (null where none, or not the caller's to see) and their owners, in one statement: the `nodeById` loader's batch. */
export async function nodeRecordsByIds(
  ctx: ActingContext,
  ids: readonly string[],
): Promise<{ nodes: Array<NodeRecord | null> } & WithOwners> {
  requireScope(ctx, SCOPE);
  const rows = await read(ctx, NODES_BY_IDS, [uuidArray(ids), ...VISIBLE.params(ctx.caller)]);
  const byId = new Map(rows.map((row) => [row.id as string, toNodeRecord(row)]));
  return { nodes: ids.map((id) => byId.get(id) ?? null), owners: ownersOf(rows) };
}

/** A page of the nodes the caller may see, oldest first, with their owners. */
export async function listNodes(ctx: ActingContext, filter: NodeFilter): Promise<NodePage> {
  requireScope(ctx, SCOPE);
  const first = pageSize(filter.first);
  const after = decodeCursor(NODE_CURSOR, filter.after, [cursorParts.id])?.[0] ?? null;
  const ownerId = filter.ownerId === null || filter.ownerId === undefined ? null : valid.id('ownerId', filter.ownerId);
  const active = filter.active ?? null;
  const pattern = filter.search ? containsPattern(valid.text('search', filter.search, { max: 100 })) : null;
  const where = `(?::uuid is null or n.owner_id = ?::uuid) and (?::boolean is null or n.active = ?::boolean)
    and (?::text is null or n.name ilike ? or n.description ilike ?) and ${VISIBLE.sql}`;
  const whereParams = [ownerId, ownerId, active, active, pattern, pattern, pattern, ...VISIBLE.params(ctx.caller)];
  const rows = await read(ctx, `${NODES_WITH_OWNERS} where ${where} and (?::uuid is null or n.id > ?::uuid) order by n.id limit ?`, [
    ...whereParams,
    after,
    after,
    first + 1,
  ]);
  const connection = toConnection(rows.map(toNodeRecord), first, nodeCursor, async () => {
    const [row] = await read<{ count: string }>(ctx, `select count(*) as count from nodes n where ${where}`, whereParams);
    return Number(row!.count);
  });
  return { ...connection, owners: ownersOf(rows.slice(0, connection.page.length)) };
}

/** Validates a user's `nodes(first, after)` arguments. */
export function ownerNodesArgs(first: number | null | undefined, after: string | null | undefined): OwnerNodesArgs {
  return { first: pageSize(first), after: decodeCursor(NODE_CURSOR, after, [cursorParts.id])?.[0] ?? null };
}

/** The first `args.first + 1` nodes of each owner, in one statement for all owners. */
export async function nodePagesByOwner(
  ctx: ActingContext,
  ownerIds: readonly string[],
  args: OwnerNodesArgs,
): Promise<Map<string, NodeRecord[]>> {
  requireScope(ctx, SCOPE);
  const rows = await read(ctx,
    `select n.* from unnest(?::uuid[]) as parent(id)
     cross join lateral (
       select ${COLUMNS} from nodes where owner_id = parent.id and (?::uuid is null or id > ?::uuid) order by id limit ?
     ) n
     where ${PARENT_VISIBLE.sql}`,
    [uuidArray(ownerIds), args.after, args.after, args.first + 1, ...PARENT_VISIBLE.params(ctx.caller)],
  );
  return groupBy(rows.map(toNodeRecord), (node) => node.owner.id);
}

/** How many nodes each owner has, in one statement. */
export async function nodeCountsByOwner(ctx: ActingContext, ownerIds: readonly string[]): Promise<Map<string, number>> {
  requireScope(ctx, SCOPE);
  const rows = await read<{ owner_id: string; count: string }>(ctx,
    `select n.owner_id, count(*) as count from nodes n where n.owner_id = any(?::uuid[]) and ${VISIBLE.sql} group by n.owner_id`,
    [uuidArray(ownerIds), ...VISIBLE.params(ctx.caller)],
  );
  return new Map(rows.map((row) => [row.owner_id, Number(row.count)]));
}
