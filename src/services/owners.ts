import { requireSelfOrAdmin, signedInUserId, type ActingContext } from '../auth/actor';
import { findByIds } from '../db/lookup';
import { User } from '../entities';
import { InvalidInputError, NotFoundError } from '../shared/errors';
import * as valid from './validation';

/**
 * The owner of something new (a device, an API key), from `input.ownerId`: the caller when it is left
 * out; another user only for an ADMIN (FORBIDDEN with `refusal` otherwise). The owner must exist and be
 * active. Its id.
 */
export async function newOwnerId(ctx: ActingContext, ownerId: string | null | undefined, refusal: string): Promise<string> {
  const id = ownerId === null || ownerId === undefined ? signedInUserId(ctx.caller) : valid.id('input.ownerId', ownerId);
  await requireSelfOrAdmin(ctx, id, refusal);
  const [owner] = await findByIds(ctx.em, User, [id]);
  if (!owner) throw new NotFoundError('User', id, 'input.ownerId');
  if (!owner.active) throw new InvalidInputError('input.ownerId', 'The owner is deactivated');
  return id;
}
