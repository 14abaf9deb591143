import { requireAdmin, requireSelfOrAdmin, type ActingContext } from '../auth/actor';
import type { ForkContext } from '../db/fork-context';
import { findByIds } from '../db/lookup';
import { expectVersion, touch } from '../db/versioning';
import { User } from '../entities';
import { NotFoundError } from '../shared/errors';
import { hashPassword } from '../shared/password';
import * as valid from './validation';

export interface CreateUserData {
  username: string;
  email: string;
  password: string;
  firstName: string;
  lastName: string;
  secondLastName?: string | null;
  birthDate?: string | null;
}

/** Omitted (undefined) fields stay as they are; null clears an optional one. */
export interface UpdateUserData {
  email?: string | null;
  password?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  secondLastName?: string | null;
  birthDate?: string | null;
  expectedVersion?: number | null;
}

/** Registers a user with role USER (administrators only). Taken usernames and emails are refused by the database at flush. */
export async function createUser(ctx: ActingContext, data: CreateUserData): Promise<User> {
  await requireAdmin(ctx, 'create users');
  const user = ctx.em.create(User, {
    username: valid.username('input.username', data.username),
    email: valid.email('input.email', data.email),
    passwordHash: await hashPassword(valid.password('input.password', data.password)),
    firstName: valid.text('input.firstName', data.firstName, { max: 50 }),
    lastName: valid.text('input.lastName', data.lastName, { max: 50 }),
    secondLastName: valid.optionalText('input.secondLastName', data.secondLastName, 50),
    birthDate: valid.birthDate('input.birthDate', data.birthDate),
  });
  ctx.em.persist(user);
  return user;
}

/**
 * Changes a user's details (one's own, or anyone's for an administrator); `expectedVersion` guards
 * against overwriting someone else's change. Role and active flag are not among the details.
 */
export async function updateUser(ctx: ActingContext, id: string, data: UpdateUserData): Promise<User> {
  await requireSelfOrAdmin(ctx, valid.id('id', id), 'You may only change your own details');
  const user = await getUserForUpdate(ctx, id, data.expectedVersion);
  if (data.email !== undefined) user.email = valid.email('input.email', valid.notNull('input.email', data.email));
  if (data.password !== undefined) {
    user.passwordHash = await hashPassword(valid.password('input.password', valid.notNull('input.password', data.password)));
  }
  if (data.firstName !== undefined) {
    user.firstName = valid.text('input.firstName', valid.notNull('input.firstName', data.firstName), { max: 50 });
  }
  if (data.lastName !== undefined) {
    user.lastName = valid.text('input.lastName', valid.notNull('input.lastName', data.lastName), { max: 50 });
  }
  if (data.secondLastName !== undefined) {
    user.secondLastName = valid.optionalText('input.secondLastName', data.secondLastName, 50);
  }
  if (data.birthDate !== undefined) user.birthDate = valid.birthDate('input.birthDate', data.birthDate);
  touch(ctx.em, user);
  return user;
}

/** Deactivates (soft delete) or reactivates a user (administrators only). */
export async function setUserActive(ctx: ActingContext, id: string, active: boolean): Promise<User> {
  await requireAdmin(ctx, active ? 'reactivate users' : 'deactivate users');
  const user = await getUserForUpdate(ctx, id, undefined);
  user.active = active;
  touch(ctx.em, user);
  return user;
}

async function getUserForUpdate(ctx: ForkContext, id: string, expectedVersion: number | null | undefined): Promise<User> {
  const [user] = await findByIds(ctx.em, User, [valid.id('id', id)]);
  if (!user) throw new NotFoundError('User', id);
  expectVersion('User', user, expectedVersion);
  return user;
}
