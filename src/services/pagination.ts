import type { EntityClass, FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { InvalidInputError } from './errors';

/** A page of a list, in the Relay connection shape. `totalCount` runs its query only when asked for. */
export interface Connection<T> {
  readonly edges: ReadonlyArray<Edge<T>>;
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
  readonly totalCount: () => Promise<number>;
}

export interface Edge<T> {
  readonly cursor: string;
  readonly node: T;
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
  rows: readonly T[],
  first: number,
  cursorOf: (row: T) => string,
  totalCount: () => Promise<number>,
): Connection<T> {
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
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
 * A page of `entity` rows matching `where`, oldest first: ids are UUIDv7, so they sort by creation and
 * serve as the keyset. `totalCount` counts every match.
 */
export async function pageById<T extends { id: string }>(
  em: EntityManager,
  entity: EntityClass<T>,
  kind: string,
  where: FilterQuery<T>,
  args: { first?: number | null; after?: string | null },
): Promise<Connection<T>> {
  const first = pageSize(args.first);
  const after = decodeCursor(kind, args.after, [cursorParts.id])?.[0];
  const page = after ? ({ $and: [where, { id: { $gt: after } }] } as FilterQuery<T>) : where;
  const rows = await em.find(entity, page, { orderBy: { id: 'asc' } as never, limit: first + 1 });
  return toConnection(rows, first, (row) => encodeCursor(kind, [row.id]), () => em.count(entity, where));
}
