import type { Knex } from '@mikro-orm/postgresql';
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

/**
 * A statement that each connection prepares once (parsed and planned by PostgreSQL the first time, only
 * executed after). Only for statements whose best plan does not depend on their values: PostgreSQL may
 * settle on one generic plan for every value. Statements with optional conditions (`? is null or …`)
 * are sent as text instead, and planned for their values each time.
 */
export interface Prepared {
  /** Unique per statement text, as PostgreSQL knows it on every connection. */
  readonly name: string;
  readonly text: string;
}

/**
 * The rows a read statement gives, sent through the operation's fork (in its transaction when it has
 * one). `?` placeholders take `values` as parameters, never spliced into the text. A failure is the
 * ORM's exception for it (unique violation, timeout, connection lost), as every other path raises.
 */
export async function read<R = Row>(ctx: ServiceContext, statement: string | Prepared, values: readonly unknown[]): Promise<R[]> {
  const { em } = ctx;
  const { text, name } = typeof statement === 'string' ? { text: statement, name: undefined } : statement;
  const query = em.getKnex().raw(text, values as readonly Knex.RawBinding[]);
  if (name) query.options({ name });
  const transaction = em.getTransactionContext<Knex.Transaction>();
  if (transaction) query.transacting(transaction);
  try {
    return ((await query) as { rows: R[] }).rows;
  } catch (error) {
    throw em.getDriver().convertException(error as Error);
  }
}

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
  const rows = await read(ctx, { name: `${source.table}-by-id`, text: `select ${source.columns} from ${source.table} where id = any(?::uuid[])` }, [
    uuidArray(ids),
  ]);
  const byId = new Map(rows.map((row) => [row.id as string, source.toRecord(row)]));
  return ids.map((id) => byId.get(id) ?? null);
}
