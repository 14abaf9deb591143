import { User, type UserRecord } from '../entities';
import type { ServiceContext } from './context';
import { containsPattern, idCursor, pageById, type Connection } from './pagination';
import { instant, recordsByIds, type RecordSource, type Row } from './sql';
import * as valid from './validation';

export interface UserFilter {
  first?: number | null;
  after?: string | null;
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
const COLUMNS = 'id, username, email, first_name, last_name, second_last_name, birth_date, role, active, registered_at, version';

function toUserRecord(row: Row): UserRecord {
  return {
    id: row.id as string,
    username: row.username as string,
    email: row.email as string,
    firstName: row.first_name as string,
    lastName: row.last_name as string,
    secondLastName: row.second_last_name as string | null,
    birthDate: row.birth_date as string | null,
    role: row.role as UserRecord['role'],
    active: row.active as boolean,
    registeredAt: instant(row.registered_at),
    version: row.version as number,
  };
}

/** Where user records come from. */
const USERS: RecordSource<UserRecord> = { table: 'users', columns: COLUMNS, toRecord: toUserRecord };

/** Users by id (null where none), in one statement: the `userById` loader's batch. */
export function userRecordsByIds(ctx: ServiceContext, ids: readonly string[]): Promise<Array<UserRecord | null>> {
  return recordsByIds(ctx, USERS, ids);
}

/** A page of users, oldest first. */
export function listUsers(ctx: ServiceContext, filter: UserFilter): Promise<Connection<UserRecord>> {
  const where: Record<string, unknown> = {};
  if (filter.active !== null && filter.active !== undefined) where.active = filter.active;
  if (filter.search) {
    const pattern = containsPattern(valid.text('search', filter.search, { max: 100 }));
    where.$or = ['username', 'email', 'firstName', 'lastName'].map((field) => ({ [field]: { $ilike: pattern } }));
  }
  return pageById(ctx.em, User, USER_CURSOR, where, filter, USERS);
}
