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

/** Records in the order of `ids`, null where none has that id: what a DataLoader batch returns. */
export function inOrderOf<R extends { readonly id: string }>(ids: readonly string[], records: readonly R[]): Array<R | null> {
  const byId = new Map(records.map((record) => [record.id, record]));
  return ids.map((id) => byId.get(id) ?? null);
}
