import type { ForkContext } from '../db/fork-context';
import { prepared, read, uuidArray } from '../db/sql';
import type { ApiKeyScope, Role } from '../entities';
import { ForbiddenError, UnauthenticatedError } from '../shared/errors';
import { refuseApiKeys } from './access';
import type { Caller } from './caller';

/** What a service call needs to decide what the caller may do: the operation's fork and its caller. */
export interface ActingContext extends ForkContext {
  readonly caller: Caller;
}

/**
 * Who a service acts for: the caller's user and that user's role now (not when a token was issued),
 * and, for an API key, its scopes (null for a signed-in user, who is limited by role only).
 */
export interface Actor {
  readonly userId: string;
  readonly role: Role;
  readonly scopes: readonly ApiKeyScope[] | null;
}

const ROLE = prepared('actor-role', 'select role, active from users where id = ?');

/** Each operation's actor, read once (its context object is the operation's own). */
const actors = new WeakMap<ActingContext, Promise<Actor>>();

/** The actor of `ctx`'s caller: UNAUTHENTICATED when anonymous, or when the user is gone or deactivated. */
export function actorOf(ctx: ActingContext): Promise<Actor> {
  let actor = actors.get(ctx);
  if (!actor) {
    actor = readActor(ctx);
    actors.set(ctx, actor);
  }
  return actor;
}

async function readActor(ctx: ActingContext): Promise<Actor> {
  const { caller } = ctx;
  const userId = signedInUserId(caller);
  const [row = null] = await read<{ role: Role; active: boolean }>(ctx, ROLE, [userId]);
  const { role } = signedInUser(row);
  return { userId, role, scopes: caller.kind === 'apiKey' ? caller.scopes : null };
}

/** Whether the actor is a signed-in ADMIN (an API key never is, whoever owns it: scopes name no administration). */
export function isAdmin(actor: Actor): boolean {
  return actor.role === 'ADMIN' && actor.scopes === null;
}

/** The actor, if a signed-in ADMIN; FORBIDDEN otherwise. */
export async function requireAdmin(ctx: ActingContext, what: string): Promise<Actor> {
  const actor = await actorOf(ctx);
  if (!isAdmin(actor)) throw new ForbiddenError(`Only an administrator may ${what}`);
  return actor;
}

/** Whether the actor may change what user `ownerId` owns: theirs (an API key's owner's included), or anyone's for an ADMIN. */
export function mayChangeOwnedBy(actor: Actor, ownerId: string): boolean {
  return isAdmin(actor) || actor.userId === ownerId;
}

/** The actor, if it is the user `userId` (and not an API key) or an ADMIN; FORBIDDEN with `refusal` otherwise. */
export async function requireSelfOrAdmin(ctx: ActingContext, userId: string, refusal: string): Promise<Actor> {
  refuseApiKeys(ctx);
  const actor = await actorOf(ctx);
  if (!mayChangeOwnedBy(actor, userId)) throw new ForbiddenError(refusal);
  return actor;
}

/** The id of the user a request acts for (a key's owner, for an API key); UNAUTHENTICATED for an anonymous caller. */
export function signedInUserId(caller: Caller): string {
  if (caller.kind === 'anonymous') throw new UnauthenticatedError('Sign in first: send `Authorization: Bearer <token>` (see `login`)');
  return caller.userId;
}

/** The user a token names, as long as they may still sign in: a deactivated user's tokens stop working. */
export function signedInUser<U extends { readonly active: boolean }>(user: U | null): U {
  if (!user?.active) throw new UnauthenticatedError('This account is deactivated or gone; sign in again');
  return user;
}

const ACTIVE_ROLES = prepared('active-roles', 'select id, role from users where id = any(?::uuid[]) and active');

/**
 * The role of each of `userIds` that is active now (the others are missing): how the callers of
 * long-lived subscriptions are checked again while they listen, in one statement for all of them.
 */
export async function activeRoles(ctx: ForkContext, userIds: readonly string[]): Promise<Map<string, Role>> {
  const rows = await read<{ id: string; role: Role }>(ctx, ACTIVE_ROLES, [uuidArray(userIds)]);
  return new Map(rows.map((row) => [row.id, row.role]));
}
