import { ownedBy } from '../auth/access';
import type { ActingContext } from '../auth/actor';
import { BY_ID, containsPattern, cursorParts, idCursor, pageRequest, readPage, type Connection, type PagingArgs } from '../db/pagination';
import { recordsByIds, type RecordSource } from '../db/point-lookups';
import { instant, type Row } from '../db/sql';
import type { UserRecord } from '../entities';
import * as valid from './validation';

export interface UserFilter extends PagingArgs {
  search?: string | null;
  active?: boolean | null;
}

/** Cursor kind of the users list. */
const USER_CURSOR = 'user';

/** Opaque position of a row of the users list: its id (UUIDv7, so creation order). */
export function userCursor(user: UserRecord): string {
  return idCursor(USER_CURSOR, user);
}

/** Every column of a user but the password hash, which never leaves the database through a read. */
const COLUMN_NAMES = [
  'id', 'username', 'email', 'first_name', 'last_name', 'second_last_name', 'birth_date', 'role', 'active', 'registered_at', 'version',
] as const;
type UserColumn = (typeof COLUMN_NAMES)[number];

/**
 * How a user record is read from a row whose user columns are named `${prefix}${column}`: a users row
 * (no prefix), or the owner columns of a read that joins users (see {@link joinedUserColumns}).
 */
function userReader(prefix: string): (row: Row) => UserRecord {
  const name = Object.fromEntries(COLUMN_NAMES.map((column) => [column, `${prefix}${column}`])) as Record<UserColumn, string>;
  return (row) => ({
    id: row[name.id] as string,
    username: row[name.username] as string,
    email: row[name.email] as string,
    firstName: row[name.first_name] as string,
    lastName: row[name.last_name] as string,
    secondLastName: row[name.second_last_name] as string | null,
    birthDate: row[name.birth_date] as string | null,
    role: row[name.role] as UserRecord['role'],
    active: row[name.active] as boolean,
    registeredAt: instant(row[name.registered_at]),
    version: row[name.version] as number,
  });
}

/** How a read that joins users as `alias` brings their records along: the columns to select and the reader of a row. */
export function joinedUserColumns(alias: string): { columns: string; toRecord: (row: Row) => UserRecord } {
  const prefix = `${alias}_`;
  return {
    columns: COLUMN_NAMES.map((column) => `${alias}.${column} as ${prefix}${column}`).join(', '),
    toRecord: userReader(prefix),
  };
}

/** A user is their own: others see them only as an ADMIN (an API key sees its owner; no scope is needed). */
const VISIBLE = ownedBy('id');

/** Where user records come from. */
const USERS: RecordSource<UserRecord> = { table: 'users', columns: COLUMN_NAMES.join(', '), toRecord: userReader(''), condition: VISIBLE.sql };

/** Users by id (null where none), in one statement: the `userById` loader's batch. */
export function userRecordsByIds(ctx: ActingContext, ids: readonly string[]): Promise<Array<UserRecord | null>> {
  return recordsByIds(ctx, USERS, ids, VISIBLE.params(ctx.caller));
}

/** A page of the users the caller may see (themselves; everyone for an ADMIN), oldest first, read either way. */
export async function listUsers(ctx: ActingContext, filter: UserFilter): Promise<Connection<UserRecord>> {
  const request = pageRequest(USER_CURSOR, filter, [cursorParts.id]);
  const active = filter.active ?? null;
  const pattern = filter.search ? containsPattern(valid.text('search', filter.search, { max: 100 })) : null;
  return readPage(ctx, {
    select: `select ${USERS.columns} from users`,
    table: 'users',
    where: `(?::boolean is null or active = ?::boolean)
      and (?::text is null or username ilike ? or email ilike ? or first_name ilike ? or last_name ilike ?) and ${VISIBLE.sql}`,
    values: [active, active, pattern, pattern, pattern, pattern, pattern, ...VISIBLE.params(ctx.caller)],
    keyset: BY_ID,
    toRecord: (row) => USERS.toRecord(row),
    cursorOf: userCursor,
  }, request);
}
