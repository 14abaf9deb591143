import { InvalidInputError } from '../shared/errors';
import type { ForkContext } from './fork-context';
import { read, uuidArray, type Row } from './sql';

/**
 * A page of a list, behind the Relay connection shape. Each row is its own edge, and cursors and
 * `totalCount` are computed only when a client asks for them (most pages never need either).
 */
export interface Connection<T> {
  /** The rows of this page, in the list's order (whichever way the page was read). */
  readonly page: T[];
  /** Whether rows follow this page: exact whichever way the page was read. */
  readonly hasNextPage: boolean;
  /** Whether rows come before this page: exact whichever way the page was read. */
  readonly hasPreviousPage: boolean;
  cursorOf(row: T): string;
  totalCount(): Promise<number>;
}

/** Page-size bounds of every list. */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/**
 * A page as a client asks for it (Relay's connection arguments): `first` rows after a cursor, read
 * forward, or `last` rows before one, read backward. `cursor` is the decoded sort key, null from the
 * list's start (forward) or end (backward).
 */
export interface PageRequest {
  readonly size: number;
  readonly backward: boolean;
  readonly cursor: readonly string[] | null;
}

/** A list's connection arguments. */
export interface PagingArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/**
 * The page `args` ask for, validated: forward (`first`, `after`; the default, 20 rows) or backward
 * (`last`, `before`), not both at once; at most 100 rows; a cursor of this list (`kind`) whose parts
 * pass `parts`. BAD_USER_INPUT naming the argument otherwise.
 */
export function pageRequest(kind: string, args: PagingArgs, parts: ReadonlyArray<(value: string) => boolean>): PageRequest {
  const given = (value: unknown) => value !== null && value !== undefined;
  const backward = given(args.last) || given(args.before);
  if (backward && (given(args.first) || given(args.after))) {
    throw new InvalidInputError(given(args.last) ? 'last' : 'before', 'Page forward (first, after) or backward (last, before), not both at once');
  }
  return backward
    ? { size: pageSize(args.last, 'last'), backward, cursor: decodeCursor(kind, args.before, parts, 'before') }
    : { size: pageSize(args.first, 'first'), backward, cursor: decodeCursor(kind, args.after, parts, 'after') };
}

/** A page size asked for, validated (default 20, at most 100). */
function pageSize(size: number | null | undefined, field: 'first' | 'last'): number {
  if (size === null || size === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw new InvalidInputError(field, `${field} must be from 0 to ${MAX_PAGE_SIZE}`);
  }
  return size;
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
 * A connection from the rows of a page as they were read: up to `size + 1` rows in the direction of
 * `request` (the extra row only tells that more lie that way), and `beyondCursor`, whether rows lie
 * on the other side of the request's cursor (false without one).
 */
export function toConnection<T>(
  rows: readonly T[],
  request: PageRequest,
  cursorOf: (row: T) => string,
  totalCount: () => Promise<number>,
  beyondCursor: boolean,
): Connection<T> {
  const more = rows.length > request.size;
  const read = more ? rows.slice(0, request.size) : [...rows];
  return request.backward
    ? { page: read.reverse(), hasNextPage: beyondCursor, hasPreviousPage: more, cursorOf, totalCount }
    : { page: read, hasNextPage: more, hasPreviousPage: beyondCursor, cursorOf, totalCount };
}

/** The cursor of the first row of a page; null when the page is empty. */
export function startCursor<T>(connection: Connection<T>): string | null {
  const first = connection.page[0];
  return first === undefined ? null : connection.cursorOf(first);
}

/** The cursor of the last row of a page; null when the page is empty. */
export function endCursor<T>(connection: Connection<T>): string | null {
  const last = connection.page.at(-1);
  return last === undefined ? null : connection.cursorOf(last);
}

/** The cursor of a row of a list ordered by id (ids are UUIDv7s: creation order). */
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

/** One column of a list's sort key: how the page's query names it, how its output row names it, its SQL type. */
interface KeyColumn {
  readonly expression: string;
  readonly name: string;
  readonly type: string;
}

/**
 * A list's order: its sort key, unique per row, and whether the list runs from the highest key down
 * (newest first). Pages are keyset pages: a cursor holds the key of the row it stands for.
 */
export interface Keyset {
  readonly columns: readonly KeyColumn[];
  readonly descending: boolean;
}

/** The order of a list by id (ids are UUIDv7s: oldest first). */
export const BY_ID: Keyset = { columns: [{ expression: 'id', name: 'id', type: 'uuid' }], descending: false };

/**
 * The SQL of a keyset page of `request`: `page`, the condition of the rows after (forward) or before
 * (backward) the cursor; `beyond`, the rows on the cursor's other side, the cursor's row included;
 * `order`, the order to read the page in (the list's, or its reverse when backward); their values.
 */
function keysetSql(keyset: Keyset, request: PageRequest): { page: string; beyond: string; order: string; values: unknown[] } {
  const readDescending = readsDescending(keyset, request);
  const order = keyset.columns.map((column) => `${column.expression} ${readDescending ? 'desc' : 'asc'}`).join(', ');
  if (!request.cursor) return { page: 'true', beyond: 'false', order, values: [] };
  const key = `(${keyset.columns.map((column) => column.expression).join(', ')})`;
  const cursor = `(${keyset.columns.map((column) => `?::${column.type}`).join(', ')})`;
  return {
    page: `${key} ${readDescending ? '<' : '>'} ${cursor}`,
    beyond: `${key} ${readDescending ? '>=' : '<='} ${cursor}`,
    order,
    values: [...request.cursor],
  };
}

/** The order a page is read in, by the key columns' output names (for a query over the page's rows). */
function orderByName(keyset: Keyset, request: PageRequest, prefix = ''): string {
  const direction = readsDescending(keyset, request) ? 'desc' : 'asc';
  return keyset.columns.map((column) => `${prefix}${column.name} ${direction}`).join(', ');
}

/** Whether a page is read from higher keys to lower: a newest-first list forward, or an oldest-first one backward. */
function readsDescending(keyset: Keyset, request: PageRequest): boolean {
  return keyset.descending !== request.backward;
}

/** Reads a list's rows from a keyset condition: see {@link ListSource}. */
export type ReadRows = (
  keyset: { readonly condition: string; readonly values: readonly unknown[]; readonly order: string; readonly orderByName: string },
  limit: number,
) => { sql: string; values: unknown[] };

/**
 * A list read by {@link readPage}: its rows, which of them the reader may see, and its order. Its rows
 * are read either by `select … where … order by … limit` or, when a plan of its own beats that, by its
 * `readRows`.
 */
export type ListSource<R> = ListRows<R> & (
  | {
      /** `select … from …` of a page's rows (joins allowed), without its `where`. */
      readonly select: string;
      readonly readRows?: never;
    }
  | {
      /**
       * The same rows as `select … where …` would give, by a statement of the list's own: given the
       * keyset condition, its values and the order, a statement ending in the page's order and
       * `limit ?` (the limit is the last value).
       */
      readonly readRows: ReadRows;
      readonly select?: never;
    }
);

interface ListRows<R> {
  /** The table (with the alias `where` uses) whose rows the list counts. */
  readonly table: string;
  /** The list's filters and visibility: a boolean SQL expression with `?` placeholders, and their values. */
  readonly where: string;
  readonly values: readonly unknown[];
  readonly keyset: Keyset;
  toRecord(row: Row): R;
  cursorOf(record: R): string;
  /** How the list counts its rows when it knows a cheaper way than `count(*)` of its `where` (counts kept as rows are written). */
  countRows?(): Promise<number>;
}

/**
 * A page of `list` in one statement: read forward or backward from the cursor, with whether rows lie
 * beyond the cursor's other side (an `exists` in the same statement, only when there is a cursor).
 * `totalCount` counts every row of the list, on demand.
 */
export async function readPage<R>(ctx: ForkContext, list: ListSource<R>, request: PageRequest): Promise<Connection<R> & { rows: readonly Row[] }> {
  const ks = keysetSql(list.keyset, request);
  const rowsWhere = (condition: string, limit: number) =>
    list.readRows
      ? list.readRows({ condition, values: ks.values, order: ks.order, orderByName: orderByName(list.keyset, request) }, limit)
      : { sql: `${list.select} where ${list.where} and ${condition} order by ${ks.order} limit ?`, values: [...list.values, ...ks.values, limit] };
  const { sql: pageSql, values: pageValues } = rowsWhere(ks.page, request.size + 1);
  let rows: Row[];
  let beyond = false;
  if (!request.cursor) {
    rows = await read(ctx, pageSql, pageValues);
  } else {
    // One row even for an empty page, so that `beyond` always comes back; the rows beyond the cursor
    // are looked for as the page's are (by the list's own plan), one of them enough.
    const outerOrder = orderByName(list.keyset, request, 'p.');
    const { sql: beyondSql, values: beyondValues } = rowsWhere(ks.beyond, 1);
    const found = await read(ctx,
      `select p.*, b.beyond from (select exists(${beyondSql}) as beyond) b
       left join lateral (${pageSql}) p on true order by ${outerOrder}`,
      [...beyondValues, ...pageValues],
    );
    beyond = found[0]?.beyond === true;
    rows = found.filter((row) => row[list.keyset.columns[0]!.name] !== null);
  }
  const countRows = async () => {
    if (list.countRows) return list.countRows();
    const [row] = await read<{ count: string }>(ctx, `select count(*) as count from ${list.table} where ${list.where}`, list.values);
    return Number(row!.count);
  };
  const connection = toConnection(rows.map((row) => list.toRecord(row)), request, (record) => list.cursorOf(record), countRows, beyond);
  return { ...connection, rows: request.backward ? rows.slice(0, request.size).reverse() : rows.slice(0, request.size) };
}

/** A child list of many parents read by {@link readChildPages}: a device's events, an owner's devices. */
export interface ChildListSource<R> {
  /** The children's columns, as a `select` list. */
  readonly columns: string;
  readonly table: string;
  /** The children of the parent `parent.id`, and the list's own filters: SQL with `?` placeholders, and their values. */
  readonly where: string;
  readonly values: readonly unknown[];
  /** The parents the reader may see (a condition on `parent.id`), and its values: the others get no children. */
  readonly parentVisible: string;
  readonly parentVisibleValues: readonly unknown[];
  readonly keyset: Keyset;
  toRecord(row: Row): R;
}

/** One parent's page as read: up to `size + 1` rows in the page's direction, and whether rows lie beyond its cursor. */
export interface ReadPage<R> {
  readonly rows: readonly R[];
  readonly beyond: boolean;
}

/**
 * The page `request` of each parent's children, in one statement for every parent (a lateral join per
 * parent); with a cursor, whether each parent has rows beyond it, in the same statement. Parents with
 * no children, or not the reader's to see, are missing from the map.
 */
export async function readChildPages<R>(
  ctx: ForkContext,
  list: ChildListSource<R>,
  parentIds: readonly string[],
  request: PageRequest,
): Promise<Map<string, ReadPage<R>>> {
  const ks = keysetSql(list.keyset, request);
  const page = `select ${list.columns} from ${list.table} where ${list.where} and ${ks.page} order by ${ks.order} limit ?`;
  const pageValues = [...list.values, ...ks.values, request.size + 1];
  const pages = new Map<string, { rows: R[]; beyond: boolean }>();
  const pageOf = (parentId: string) => {
    let found = pages.get(parentId);
    if (!found) {
      found = { rows: [], beyond: false };
      pages.set(parentId, found);
    }
    return found;
  };
  if (!request.cursor) {
    const rows = await read(ctx,
      `select parent.id as parent_id, c.* from unnest(?::uuid[]) as parent(id) cross join lateral (${page}) c where ${list.parentVisible}`,
      [uuidArray(parentIds), ...pageValues, ...list.parentVisibleValues],
    );
    for (const row of rows) pageOf(row.parent_id as string).rows.push(list.toRecord(row));
    return pages;
  }
  const rows = await read(ctx,
    `select parent.id as parent_id, b.beyond, c.* from unnest(?::uuid[]) as parent(id)
     cross join lateral (select exists(select 1 from ${list.table} where ${list.where} and ${ks.beyond}) as beyond) b
     left join lateral (${page}) c on true
     where ${list.parentVisible}`,
    [uuidArray(parentIds), ...list.values, ...ks.values, ...pageValues, ...list.parentVisibleValues],
  );
  for (const row of rows) {
    const found = pageOf(row.parent_id as string);
    found.beyond = row.beyond === true;
    if (row[list.keyset.columns[0]!.name] !== null) found.rows.push(list.toRecord(row));
  }
  return pages;
}
