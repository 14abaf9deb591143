import { Node, User } from '../entities';
import { groupBy } from '../shared/group-by';
import type { ServiceContext } from './context';
import { InvalidInputError, NotFoundError } from './errors';
import { findByIds } from './lookup';
import { containsPattern, cursorParts, decodeCursor, encodeCursor, pageById, pageSize, type Connection } from './pagination';
import { uuidArray } from './sql';
import * as valid from './validation';
import { expectVersion, touch } from './versioning';

export interface CreateNodeData {
  name: string;
  description?: string | null;
  ownerId: string;
}

export interface UpdateNodeData {
  name?: string | null;
  description?: string | null;
  expectedVersion?: number | null;
}

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

const CURSOR = 'node';

export function nodeCursor(node: Node): string {
  return encodeCursor(CURSOR, [node.id]);
}

/** Registers a node for an existing, active user. */
export async function createNode(ctx: ServiceContext, data: CreateNodeData): Promise<Node> {
  const name = valid.text('input.name', data.name, { max: 50 });
  const description = valid.optionalText('input.description', data.description, 500);
  const ownerId = valid.id('input.ownerId', data.ownerId);
  const [owner] = await findByIds(ctx.em, User, [ownerId]);
  if (!owner) throw new NotFoundError('User', ownerId, 'input.ownerId');
  if (!owner.active) throw new InvalidInputError('input.ownerId', 'The owner is deactivated');
  const node = ctx.em.create(Node, { owner: ctx.em.getReference(User, ownerId), name, description });
  ctx.em.persist(node);
  return node;
}

export async function updateNode(ctx: ServiceContext, id: string, data: UpdateNodeData): Promise<Node> {
  const node = await getNode(ctx, id);
  expectVersion('Node', node, data.expectedVersion);
  if (data.name !== undefined) node.name = valid.text('input.name', valid.notNull('input.name', data.name), { max: 50 });
  if (data.description !== undefined) node.description = valid.optionalText('input.description', data.description, 500);
  touch(ctx.em, node);
  return node;
}

/** Removes a node; the database deletes its events with it (ON DELETE CASCADE). Returns the node as it was. */
export async function deleteNode(ctx: ServiceContext, id: string): Promise<Node> {
  const node = await getNode(ctx, id);
  ctx.em.remove(node);
  return node;
}

export function nodesByIds(ctx: ServiceContext, ids: readonly string[]): Promise<Array<Node | null>> {
  return findByIds(ctx.em, Node, ids);
}

/** A page of nodes, oldest first. */
export async function listNodes(ctx: ServiceContext, filter: NodeFilter): Promise<Connection<Node>> {
  const where: Record<string, unknown> = {};
  if (filter.ownerId !== null && filter.ownerId !== undefined) where.owner = valid.id('ownerId', filter.ownerId);
  if (filter.active !== null && filter.active !== undefined) where.active = filter.active;
  if (filter.search) {
    const pattern = containsPattern(valid.text('search', filter.search, { max: 100 }));
    where.$or = [{ name: { $ilike: pattern } }, { description: { $ilike: pattern } }];
  }
  return pageById(ctx.em, Node, CURSOR, where, filter);
}

/** Validates a user's `nodes(first, after)` arguments. */
export function ownerNodesArgs(first: number | null | undefined, after: string | null | undefined): OwnerNodesArgs {
  return { first: pageSize(first), after: decodeCursor(CURSOR, after, [cursorParts.id])?.[0] ?? null };
}

/** The first `args.first + 1` nodes of each owner, in one statement for all owners. */
export async function nodePagesByOwner(
  ctx: ServiceContext,
  ownerIds: readonly string[],
  args: OwnerNodesArgs,
): Promise<Map<string, Node[]>> {
  const rows = await ctx.em.execute<Array<Record<string, unknown>>>(
    `select n.* from unnest(?::uuid[]) as parent(id)
     cross join lateral (
       select * from nodes where owner_id = parent.id and (?::uuid is null or id > ?::uuid) order by id limit ?
     ) n`,
    [uuidArray(ownerIds), args.after, args.after, args.first + 1],
  );
  return groupBy(rows.map((row) => ctx.em.map(Node, row)), (node) => node.owner.id);
}

/** How many nodes each owner has, in one statement. */
export async function nodeCountsByOwner(ctx: ServiceContext, ownerIds: readonly string[]): Promise<Map<string, number>> {
  const rows = await ctx.em.execute<Array<{ owner_id: string; count: string }>>(
    'select owner_id, count(*) as count from nodes where owner_id = any(?::uuid[]) group by owner_id',
    [uuidArray(ownerIds)],
  );
  return new Map(rows.map((row) => [row.owner_id, Number(row.count)]));
}

async function getNode(ctx: ServiceContext, id: string): Promise<Node> {
  const [node] = await nodesByIds(ctx, [valid.id('id', id)]);
  if (!node) throw new NotFoundError('Node', id);
  return node;
}

