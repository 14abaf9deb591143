import type { ServiceContext } from './context';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A PostgreSQL array literal of ids, bound as one parameter (`?::uuid[]`). MikroORM's `execute` would
 * expand a JS array into a comma list, which `unnest`/`any` cannot take.
 */
export function uuidArray(ids: readonly string[]): string {
  for (const id of ids) {
    if (!UUID.test(id)) throw new Error(`not a uuid: ${id}`);
  }
  return `{${ids.join(',')}}`;
}

/** A row as the driver returns it: column names, timestamps as PostgreSQL's text (MikroORM's type parsers). */
export type Row = Record<string, unknown>;

/** A `timestamptz` column's text as an instant. */
export function instant(value: unknown): Date {
  return new Date(value as string);
}

/** How one kind of record is read: its table, the columns a record needs, and how a row becomes one. */
export interface RecordSource<R> {
  readonly table: string;
  readonly columns: string;
  toRecord(row: Row): R;
}

/** Records by id in the order of `ids`, null where none has that id, in one statement: a `…ById` loader's batch. */
export async function recordsByIds<R extends { readonly id: string }>(
  ctx: ServiceContext,
  source: RecordSource<R>,
  ids: readonly string[],
): Promise<Array<R | null>> {
  const rows = await ctx.em.execute<Row[]>(`select ${source.columns} from ${source.table} where id = any(?::uuid[])`, [
    uuidArray(ids),
  ]);
  const byId = new Map(rows.map((row) => [row.id as string, source.toRecord(row)]));
  return ids.map((id) => byId.get(id) ?? null);
}
