import { requireSelfOrAdmin, type ActingContext } from '../auth/actor';
import { findByIds } from '../db/lookup';
import { expectVersion, touch } from '../db/versioning';
import { Node, User } from '../entities';
import { InvalidInputError, NotFoundError } from '../shared/errors';
import * as valid from './validation';

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

/** Registers a node for an existing, active user: oneself, or anyone for an ADMIN. */
export async function createNode(ctx: ActingContext, data: CreateNodeData): Promise<Node> {
  const name = valid.text('input.name', data.name, { max: 50 });
  const description = valid.optionalText('input.description', data.description, 500);
  const ownerId = valid.id('input.ownerId', data.ownerId);
  await requireSelfOrAdmin(ctx, ownerId, 'You may only register nodes for yourself');
  const [owner] = await findByIds(ctx.em, User, [ownerId]);
  if (!owner) throw new NotFoundError('User', ownerId, 'input.ownerId');
  if (!owner.active) throw new InvalidInputError('input.ownerId', 'The owner is deactivated');
  const node = ctx.em.create(Node, { owner: ctx.em.getReference(User, ownerId), name, description });
  ctx.em.persist(node);
  return node;
}

/** Changes one's own node (anyone's for an ADMIN). */
export async function updateNode(ctx: ActingContext, id: string, data: UpdateNodeData): Promise<Node> {
  const node = await getNode(ctx, id);
  expectVersion('Node', node, data.expectedVersion);
  if (data.name !== undefined) node.name = valid.text('input.name', valid.notNull('input.name', data.name), { max: 50 });
  if (data.description !== undefined) node.description = valid.optionalText('input.description', data.description, 500);
  touch(ctx.em, node);
  return node;
}

/**
 * Removes one's own node (anyone's for an ADMIN); the database deletes its events with it (ON DELETE
 * CASCADE). Returns the node as it was.
 */
export async function deleteNode(ctx: ActingContext, id: string): Promise<Node> {
  const node = await getNode(ctx, id);
  ctx.em.remove(node);
  return node;
}

/** A node the caller may change: NOT_FOUND when there is none, FORBIDDEN when it is not theirs. */
async function getNode(ctx: ActingContext, id: string): Promise<Node> {
  const [node] = await findByIds(ctx.em, Node, [valid.id('id', id)]);
  if (!node) throw new NotFoundError('Node', id);
  await requireSelfOrAdmin(ctx, node.owner.id, 'You may only change your own nodes');
  return node;
}

