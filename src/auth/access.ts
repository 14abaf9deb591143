import type { ApiKeyScope } from '../entities';
import { ForbiddenError } from '../shared/errors';
import type { Caller } from './caller';

/**
 * What a read may show its caller, written into the read's own SQL: a condition on the rows, and its
 * parameters. The caller's role and active flag are read inside the statement (two primary-key
 * lookups, each evaluated once per statement), never from the token: a demoted or deactivated user
 * sees less at once, and a read costs no statement of its own.
 *
 * - An ADMIN signed in with a token sees every row.
 * - Anyone else sees their own rows (a user is their own row; a device is its owner's; an event is its
 *   device's owner's). An API key sees its owner's rows, never more, whoever owns it.
 * - An anonymous caller, or a deactivated or deleted user, sees none.
 */
export interface Visibility {
  /** A boolean SQL expression with `?` placeholders. */
  readonly sql: string;
  /** The placeholders' values for `caller`, in order. */
  params(caller: Caller): unknown[];
}

/** Whether the caller is, now, an active ADMIN acting by token; parameters: acts by token, user id. */
const ADMIN_NOW = "(select viewer.role = 'ADMIN' and ?::boolean from users viewer where viewer.id = ?::uuid and viewer.active)";
/** The caller's user id if that user is active now, else null; parameter: user id. */
const VIEWER_ID = '(select viewer.id from users viewer where viewer.id = ?::uuid and viewer.active)';

function viewerId(caller: Caller): string | null {
  return caller.kind === 'anonymous' ? null : caller.userId;
}

function byToken(caller: Caller): boolean {
  return caller.kind === 'user';
}

/** Rows owned by the user in `userIdColumn` (a user row's own `id`, a device's `owner_id`). */
export function ownedBy(userIdColumn: string): Visibility {
  return {
    sql: `(${ADMIN_NOW} or ${userIdColumn} = ${VIEWER_ID})`,
    params: (caller) => [byToken(caller), viewerId(caller), viewerId(caller)],
  };
}

/** Rows that belong to the device in `deviceIdColumn` (an event, a child list of a device): visible with their device. */
export function ownedThroughDevice(deviceIdColumn: string): Visibility {
  return {
    sql: `(${ADMIN_NOW} or ${deviceIdColumn} in (select owned.id from devices owned where owned.owner_id = ${VIEWER_ID}))`,
    params: (caller) => [byToken(caller), viewerId(caller), viewerId(caller)],
  };
}

/**
 * Which devices (and so which readings) a caller may see, as two conditions of which at most one
 * holds, so that a read can take a plan for each: `admin`, every row for an ADMIN by token; `owner`,
 * on a `devices` row aliased `alias`, the caller's own devices when they are no such ADMIN. Each is
 * decided once per statement, so the other's part of the read costs nothing. Together: the rows of
 * {@link ownedBy} on devices and of {@link ownedThroughDevice}.
 */
export function adminOrOwnDevices(alias: string): { readonly admin: Visibility; readonly owner: Visibility } {
  return {
    admin: { sql: `coalesce(${ADMIN_NOW}, false)`, params: (caller) => [byToken(caller), viewerId(caller)] },
    owner: {
      sql: `(${alias}.owner_id = ${VIEWER_ID} and not coalesce(${ADMIN_NOW}, false))`,
      params: (caller) => [viewerId(caller), byToken(caller), viewerId(caller)],
    },
  };
}

/** Rows anyone sees while `activeColumn` is true, and an ADMIN always (recommendations). */
export function activeOrAdmin(activeColumn: string): Visibility {
  return {
    sql: `(${activeColumn} or ${ADMIN_NOW})`,
    params: (caller) => [byToken(caller), viewerId(caller)],
  };
}

/**
 * FORBIDDEN for an API key without `scope`; a signed-in user or an anonymous caller is limited by
 * what they may see and do, not by scopes.
 */
export function requireScope(ctx: { readonly caller: Caller }, scope: ApiKeyScope): void {
  if (!hasScope(ctx.caller, scope)) throw new ForbiddenError(`This API key lacks the scope ${scope}`);
}

/**
 * Whether `caller` may use what `scope` names: an API key when it holds it, anyone else always.
 * `null` names what no scope opens (API keys, administration): no API key may.
 */
export function hasScope(caller: Caller, scope: ApiKeyScope | null): boolean {
  if (caller.kind !== 'apiKey') return true;
  return scope !== null && caller.scopes.includes(scope);
}

/** FORBIDDEN for any API key: for what no scope names (administration, device changes, API keys). */
export function refuseApiKeys(ctx: { readonly caller: Caller }): void {
  if (ctx.caller.kind === 'apiKey') throw new ForbiddenError('An API key cannot do this; sign in as its owner');
}

/** Root fields anyone may use without credentials; every other one needs a signed-in caller or an API key. */
export const PUBLIC_FIELDS: Readonly<Record<'Query' | 'Mutation', readonly string[]>> = {
  Query: ['recommendations', 'randomRecommendations'],
  Mutation: ['login'],
};
