import { raw, type EntityClass, type FilterQuery } from '@mikro-orm/core';
import { InvalidInputError } from '../shared/errors';
import { checkDeadline } from './deadline';
import type { ForkContext } from './fork-context';
import type { RecordSource } from './sql';

/**
 * A page of a list, behind the Relay connection shape. Each row is its own edge, and cursors and
 * `totalCount` are computed only when a client asks for them (most pages never need either).
 */
export interface Connection<T> {
  /** The rows of this page, in order. */
  readonly page: T[];
  readonly hasNextPage: boolean;
  cursorOf(row: T): string;
  totalCount(): Promise<number>;
}

/** Page-size bounds of every list. */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** The page size asked for, validated (default 20, at most 100). */
export function pageSize(first: number | null | undefined, field = 'first'): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new InvalidInputError(field, `first must be from 0 to ${MAX_PAGE_SIZE}`);
  }
  return first;
}

/**
 * Cursors are opaque to clients: base64url of a kind tag and the sort key of the row, so a cursor of
 * one list cannot be replayed on another.
 */
export function encodeCursor(kind: string, key: ReadonlyArray<string>): string {
  return Buffer.from(JSON.stringify([kind, ...key])).toString('base64url');
}

/** Validators of sort-key parts: a cursor is refused unless each part has the type its column has. */
export const cursorParts = {
  id: (value: string) => UUID.test(value),
  instant: (value: string) => ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value)),
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The sort key in `cursor` (one part per validator), or null when there is no cursor. A cursor that
 * is malformed, of another list, or whose parts are not of their column's type is BAD_USER_INPUT.
 */
export function decodeCursor(
  kind: string,
  cursor: string | null | undefined,
  parts: ReadonlyArray<(value: string) => boolean>,
  field = 'after',
): string[] | null {
  if (cursor === null || cursor === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed[0] !== kind ||
    parsed.length !== parts.length + 1 ||
    !parsed.slice(1).every((part: unknown, i) => typeof part === 'string' && parts[i]!(part))
  ) {
    throw new InvalidInputError(field, 'Not a cursor of this list');
  }
  return parsed.slice(1) as string[];
}

/**
 * Builds a connection from up to `first + 1` rows (the extra row only tells that a next page exists).
 */
export function toConnection<T>(
  rows: T[],
  first: number,
  cursorOf: (row: T) => string,
  totalCount: () => Promise<number>,
): Connection<T> {
  const hasNextPage = rows.length > first;
  return { page: hasNextPage ? rows.slice(0, first) : rows, hasNextPage, cursorOf, totalCount };
}

/** The cursor of the last row of a page; null when the page is empty. */
export function endCursor<T>(connection: Connection<T>): string | null {
  const last = connection.page.at(-1);
  return last === undefined ? null : connection.cursorOf(last);
}

/** The cursor of a row of an id-ordered list (see {@link pageById}). */
export function idCursor(kind: string, row: { readonly id: string }): string {
  return encodeCursor(kind, [row.id]);
}

/** `text` with LIKE wildcards escaped, to match itself literally with `like`/`ilike`. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A pattern for a case-insensitive contains-match (`ilike`) of `text`. */
export function containsPattern(text: string): string {
  return `%${escapeLike(text)}%`;
}

/**
 * A page of `entity` rows matching `where` and `source`'s condition (with `conditionValues`), oldest
 * first, read as `source`'s records (plain rows, not entities): ids are UUIDv7, so they sort by
 * creation and serve as the keyset. `totalCount` counts every row that both match.
 */
export async function pageById<T extends object, R extends { readonly id: string }>(
  ctx: ForkContext,
  entity: EntityClass<T>,
  kind: string,
  where: FilterQuery<T>,
  args: { first?: number | null; after?: string | null },
  source: RecordSource<R>,
  conditionValues: readonly unknown[],
): Promise<Connection<R>> {
  const first = pageSize(args.first);
  const after = decodeCursor(kind, args.after, [cursorParts.id])?.[0];
  const page = after ? ({ $and: [where, { id: { $gt: after } }] } as FilterQuery<T>) : where;
  const values = [...conditionValues];
  checkDeadline(ctx.em);
  const rows = await ctx.em
    .createQueryBuilder(entity)
    .select(raw(source.columns))
    .where(page)
    .andWhere(source.condition, values)
    .orderBy({ id: 'asc' })
    .limit(first + 1)
    .execute<Array<Record<string, unknown>>>('all', false);
  return toConnection(rows.map((row) => source.toRecord(row)), first, (row) => idCursor(kind, row), () => {
    checkDeadline(ctx.em);
    return ctx.em.createQueryBuilder(entity).where(where).andWhere(source.condition, values).getCount();
  });
}
