import type { Knex } from '@mikro-orm/postgresql';
import { checkDeadline } from './deadline';
import type { ForkContext } from './fork-context';
import { countStatement } from './statement-tally';

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

/** A PostgreSQL array literal of transaction ids (`?::xid[]`), as {@link uuidArray}. */
export function xidArray(xids: Iterable<string>): string {
  const all = [...xids];
  for (const xid of all) {
    if (!/^\d+$/.test(xid)) throw new Error(`not a transaction id: ${xid}`);
  }
  return `{${all.join(',')}}`;
}

/** A row as the driver returns it: column names, timestamps as PostgreSQL's text (MikroORM's type parsers). */
export type Row = Record<string, unknown>;

/**
 * A statement that each connection prepares once (parsed and planned by PostgreSQL the first time, only
 * executed after). Only for statements whose best plan does not depend on their values: PostgreSQL may
 * settle on one generic plan for every value. Statements with optional conditions (`? is null or …`)
 * are sent as text instead, and planned for their values each time. Made by {@link prepared}.
 */
export interface Prepared {
  /** Unique per statement text, as PostgreSQL knows it on every connection. */
  readonly name: string;
  /** With PostgreSQL's `$1, $2, …` placeholders. */
  readonly text: string;
}

/** A prepared statement named `name`, written with `?` placeholders. */
export function prepared(name: string, text: string): Prepared {
  return { name, text: numbered(text) };
}

/** `?` placeholders as PostgreSQL's `$1, $2, …` (no statement of ours has a literal `?`). */
function numbered(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

/** A pooled connection: knex's pool hands out `pg` clients. */
interface PgConnection {
  query(config: { text: string; values: readonly unknown[]; name?: string }): Promise<{ rows: unknown[] }>;
}

/** What `read` uses of a knex client: its pool (a transaction's client: its one connection) and its events. */
interface KnexClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
  emit(event: 'query', statement: Announced): boolean;
  emit(event: 'query-response' | 'query-error', result: unknown, statement: Announced): boolean;
}

/** A statement as knex announces its own (its `query`, `query-response` and `query-error` events). */
interface Announced {
  sql: string;
  bindings: readonly unknown[];
  __knexQueryUid: string;
}

/** Ids of the statements `read` announces, unique in the process (knex's own are UUIDs). */
let announced = 0;

function clientOf(knex: Knex | Knex.Transaction): KnexClient {
  return knex.client as KnexClient;
}

/**
 * The rows a read statement gives, sent on the operation's fork's connection: its transaction's when it
 * has one, else one from the pool for this statement alone. `?` placeholders take `values` as
 * parameters, never spliced into the text. The statement goes to `pg` directly, not through knex's
 * query runner: that took a sequential point lookup from 208 to 390 µs, and 10% of the server's CPU
 * under S1 load (both measured, docs/PERFORMANCE.md). It is announced as knex's own statements are (its
 * `query`, `query-response` and `query-error` events), so the statement counts and timings of /metrics,
 * the logs and the tests see it. A failure is the ORM's exception for it (timeout, connection lost, …),
 * as on every other path.
 */
export async function read<R = Row>(ctx: ForkContext, statement: string | Prepared, values: readonly unknown[]): Promise<R[]> {
  const { em } = ctx;
  checkDeadline(em);
  const knex = em.getKnex();
  const client = clientOf(em.getTransactionContext<Knex.Transaction>() ?? knex);
  const query = typeof statement === 'string' ? { text: numbered(statement), values } : { text: statement.text, values, name: statement.name };
  try {
    // Timed from here, as the ORM times its own: a wait for a connection counts in a slow statement.
    const asked = performance.now();
    const connection = await client.acquireConnection();
    try {
      // The wait for a connection may have used up the operation's time.
      checkDeadline(em);
      const events = clientOf(knex);
      const statement = { sql: query.text, bindings: values, __knexQueryUid: `read-${++announced}` };
      events.emit('query', statement);
      try {
        const { rows } = await connection.query(query);
        events.emit('query-response', rows, statement);
        return rows as R[];
      } catch (error) {
        events.emit('query-error', error, statement);
        throw error;
      } finally {
        countStatement(em.id, query.text, performance.now() - asked);
      }
    } finally {
      await client.releaseConnection(connection);
    }
  } catch (error) {
    throw em.getDriver().convertException(error as Error);
  }
}

/** A `timestamptz` column's text as an instant. */
export function instant(value: unknown): Date {
  return new Date(value as string);
}

/**
 * How one kind of record is read: its table, the columns a record needs, how a row becomes one, and
 * the condition every read of it adds (which rows its reader may have).
 */
export interface RecordSource<R> {
  readonly table: string;
  readonly columns: string;
  toRecord(row: Row): R;
  /** A boolean SQL expression with `?` placeholders, whose values each read gives. */
  readonly condition: string;
}

/** Each source's statement of records by id, prepared once per connection. */
const byIdsStatements = new WeakMap<RecordSource<unknown>, Prepared>();

function byIdsStatement(source: RecordSource<unknown>): Prepared {
  let statement = byIdsStatements.get(source);
  if (!statement) {
    statement = prepared(
      `${source.table}-by-id`,
      `select ${source.columns} from ${source.table} where id = any(?::uuid[]) and ${source.condition}`,
    );
    byIdsStatements.set(source, statement);
  }
  return statement;
}

/**
 * Records by id in the order of `ids`, null where none has that id or the source's condition (with
 * `conditionValues`) leaves it out, in one statement: a `…ById` loader's batch.
 */
export async function recordsByIds<R extends { readonly id: string }>(
  ctx: ForkContext,
  source: RecordSource<R>,
  ids: readonly string[],
  conditionValues: readonly unknown[],
): Promise<Array<R | null>> {
  const rows = await read(ctx, byIdsStatement(source), [uuidArray(ids), ...conditionValues]);
  const byId = new Map(rows.map((row) => [row.id as string, source.toRecord(row)]));
  return ids.map((id) => byId.get(id) ?? null);
}
