import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { checkDeadline } from './deadline';
import { PRIMARY, statementRoute, type ForkContext, type ReadReplica } from './fork-context';
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

/** A statement as knex announces its own (its `query`, `query-response` and `query-error` events), and the server it went to. */
interface Announced {
  sql: string;
  bindings: readonly unknown[];
  __knexQueryUid: string;
  server: string;
}

/** What a connection's session would keep, were it the client's own: set per transaction instead. */
export interface TransactionSettings {
  readonly statementTimeoutMs: number;
  readonly idleInTransactionTimeoutMs: number;
}

/**
 * The knex clients (one per ORM) behind a transaction pooler (DB_PREPARED_STATEMENTS=false), with the
 * settings each transaction of theirs sets for itself.
 */
const pooled = new WeakMap<KnexClient, TransactionSettings>();

/**
 * Makes the ORM whose connection is `knex` work through a transaction pooler such as PgBouncer, where
 * each transaction (each statement outside one) may run on another server connection, shared with
 * other clients: {@link send} sends every statement unnamed, the `prepared` ones included (parsed and
 * planned each time; the ORM's own are never named), and {@link setTransactionSettings} gives each
 * transaction `settings`, which no session keeps.
 */
export function behindTransactionPooler(knex: Knex, settings: TransactionSettings): void {
  pooled.set(clientOf(knex), settings);
}

/**
 * Behind a transaction pooler, sets the statement and idle-in-transaction timeouts for the rest of the
 * transaction `ctx` has just begun (one statement); else nothing: the session's, from the connection's
 * start, hold.
 */
export async function setTransactionSettings(ctx: ForkContext): Promise<void> {
  const settings = pooled.get(clientOf(statementRoute(ctx).em.getKnex()));
  if (!settings) return;
  await read(ctx, "select set_config('statement_timeout', ?, true), set_config('idle_in_transaction_session_timeout', ?, true)", [
    `${settings.statementTimeoutMs}ms`,
    `${settings.idleInTransactionTimeoutMs}ms`,
  ]);
}

/** Ids of the statements `read` announces, unique in the process (knex's own are UUIDs). */
let announced = 0;

function clientOf(knex: Knex | Knex.Transaction): KnexClient {
  return knex.client as KnexClient;
}

/** A statement as `pg` takes it: named when prepared. */
export interface Query {
  readonly text: string;
  readonly values: readonly unknown[];
  readonly name?: string;
}

/** `statement` with `values`, as `pg` takes it. */
export function queryOf(statement: string | Prepared, values: readonly unknown[]): Query {
  return typeof statement === 'string' ? { text: numbered(statement), values } : { text: statement.text, values, name: statement.name };
}

/**
 * The rows a read statement gives, sent on the operation's connection: its fork's transaction's when it
 * has one, else one from the pool (of the operation's replica, if it reads from one: see
 * {@link sendRead}) for this statement alone, with no fork made for it (`statementRoute`). `?`
 * placeholders take `values` as parameters, never spliced into the text. See {@link send} for how it
 * is sent, announced and counted.
 */
export async function read<R = Row>(ctx: ForkContext, statement: string | Prepared, values: readonly unknown[]): Promise<R[]> {
  const { em, owner } = statementRoute(ctx);
  const query = queryOf(statement, values);
  checkDeadline(owner, query.text);
  const hooks = {
    // The wait for a connection may have used up the operation's time.
    admitted: () => checkDeadline(owner, query.text),
    answered: (ms: number, server: string) => countStatement(owner, query.text, ms, undefined, server),
  };
  const transaction = em.getTransactionContext<Knex.Transaction>();
  if (transaction) return send<R>(em, transaction, query, { admitted: hooks.admitted, answered: (ms) => hooks.answered(ms, PRIMARY) });
  return sendRead<R>(em, ctx.replica, query, hooks);
}

/**
 * Sends a read outside any transaction: to `replica` when there is one and it is usable, else to the
 * primary. A read the replica fails for a reason of its own (down, gone, a conflict with its recovery)
 * goes to the primary instead, so that a replica's failure never reaches the client; `admitted`
 * refusing it (the operation's time is up) is not the replica's. `answered` gets the server too.
 */
export async function sendRead<R = Row>(
  em: EntityManager,
  replica: ReadReplica | undefined,
  query: Query,
  hooks: { readonly admitted: () => void; readonly answered: (ms: number, server: string) => void },
): Promise<R[]> {
  if (replica?.usable()) {
    let refused = false;
    const admitted = () => {
      try {
        hooks.admitted();
      } catch (error) {
        refused = true;
        throw error;
      }
    };
    try {
      return await send<R>(em, replica.knex, query, { admitted, answered: (ms) => hooks.answered(ms, replica.name) }, replica.name);
    } catch (error) {
      if (refused || !replica.failed(error)) throw error;
    }
  }
  return send<R>(em, em.getKnex(), query, { admitted: hooks.admitted, answered: (ms) => hooks.answered(ms, PRIMARY) });
}

/**
 * Sends `query` on a connection of `knex` (a transaction: its one connection; else one from the pool for
 * this statement alone). The statement goes to `pg` directly, not through knex's query runner: that took
 * a sequential point lookup from 208 to 390 µs, and 10% of the server's CPU under S1 load (both measured,
 * docs/PERFORMANCE.md). It is announced as knex's own statements are (its `query`, `query-response` and
 * `query-error` events), so the statement counts and timings of /metrics and the logs see it.
 * `admitted` runs once the connection is there, and throws to send nothing; `answered` gets how long the
 * statement took, answered or failed, from the ask for a connection (as the ORM times its own: a wait for
 * a connection counts in a slow statement). A failure is the ORM's exception for it (timeout, connection
 * lost, …), as on every other path; `em` is any fork of the ORM, whose events announce it. `server`
 * names where `knex` connects: the primary, or a replica with a pool of its own.
 */
export async function send<R = Row>(
  em: EntityManager,
  knex: Knex | Knex.Transaction,
  query: Query,
  { admitted, answered }: { readonly admitted: () => void; readonly answered: (ms: number) => void },
  server = PRIMARY,
): Promise<R[]> {
  const client = clientOf(knex);
  const asked = performance.now();
  let connection: PgConnection;
  try {
    connection = await client.acquireConnection();
  } catch (error) {
    throw em.getDriver().convertException(error as Error);
  }
  try {
    // Thrown as it is (OPERATION_TIMEOUT, …): the operation's own refusal, not the database's failure.
    admitted();
    const events = clientOf(em.getKnex());
    const statement = { sql: query.text, bindings: query.values, __knexQueryUid: `read-${++announced}`, server };
    events.emit('query', statement);
    try {
      const { rows } = await connection.query(pooled.has(events) ? { text: query.text, values: query.values } : query);
      events.emit('query-response', rows, statement);
      return rows as R[];
    } catch (error) {
      events.emit('query-error', error, statement);
      throw em.getDriver().convertException(error as Error);
    } finally {
      answered(performance.now() - asked);
    }
  } finally {
    await client.releaseConnection(connection);
  }
}

/** A `timestamptz` column's text as an instant. */
export function instant(value: unknown): Date {
  return new Date(value as string);
}
