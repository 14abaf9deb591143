import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { checkDeadline } from './deadline';
import type { ForkContext } from './fork-context';
import { prepared, queryOf, read, send, uuidArray, type Prepared, type Row } from './sql';
import { countStatement, currentOrigin } from './statement-tally';

/**
 * How many ids one shared lookup takes at most: a larger batch is sent as it is and the next lookups
 * start another.
 */
const MAX_SHARED_IDS = 1_000;

/** One operation's lookup, waiting for the shared statement it is part of. */
interface Waiting {
  readonly ids: readonly string[];
  /** The operation's fork: its deadline, and its tally, which counts the shared statement once. */
  readonly em: EntityManager;
  /** The field that asked (diagnostics): the shared statement counts as this field's. */
  readonly origin: string | undefined;
  readonly resolve: (rows: Row[]) => void;
  readonly reject: (error: unknown) => void;
}

/** The lookups of one statement and one set of other values, gathered until the event loop's next check phase. */
interface SharedLookup {
  readonly statement: Prepared;
  readonly values: (ids: string) => readonly unknown[];
  readonly ids: Set<string>;
  readonly waiting: Waiting[];
  sent: boolean;
}

/** The lookups being gathered, by the knex instance (one per ORM: a process may run several) and key. */
const gathering = new WeakMap<Knex, Map<string, SharedLookup>>();

/**
 * The rows of `ids`, from `statement` whose values are `values(ids)` (`ids` as one `uuid[]`
 * parameter; each row has an `id` column), in no order.
 *
 * Outside a transaction (a query), the lookups that operations make while one turn of the event loop
 * runs, of the same statement with the same other values (the same caller's visibility), are sent as
 * one statement, at the end of that turn: under load a point lookup (S1) costs one round trip for many
 * operations rather than one each (docs/PERFORMANCE.md). Each operation still reads only what its caller
 * may see, gets only the rows of its own ids, and counts the statement among its own, once; its rows
 * are read after its lookup was asked, as they would be by a statement of its own. An operation out
 * of time is left out (OPERATION_TIMEOUT), as before a statement of its own. Inside a transaction (a
 * mutation), or when `ctx` is `alone`, the lookup is the operation's own statement (in a transaction, on
 * its connection).
 */
export function readByIds(ctx: ForkContext, statement: Prepared, ids: readonly string[], values: (ids: string) => readonly unknown[]): Promise<Row[]> {
  const { em } = ctx;
  if (em.getTransactionContext() || ctx.alone) return read(ctx, statement, values(uuidArray(ids)));
  checkDeadline(em);
  uuidArray(ids);
  const knex = em.getKnex();
  let lookups = gathering.get(knex);
  if (!lookups) gathering.set(knex, (lookups = new Map<string, SharedLookup>()));
  const key = `${statement.name}\u0000${JSON.stringify(values(''))}`;
  let shared = lookups.get(key);
  if (shared && shared.ids.size + ids.length > MAX_SHARED_IDS) {
    lookups.delete(key);
    void sendShared(knex, shared);
    shared = undefined;
  }
  if (!shared) {
    const started: SharedLookup = { statement, values, ids: new Set(), waiting: [], sent: false };
    lookups.set(key, started);
    setImmediate(() => {
      if (lookups.get(key) === started) lookups.delete(key);
      void sendShared(knex, started);
    });
    shared = started;
  }
  for (const id of ids) shared.ids.add(id);
  const origin = currentOrigin();
  const gathered = shared;
  return new Promise<Row[]>((resolve, reject) => gathered.waiting.push({ ids, em, origin, resolve, reject }));
}

/** Whether `waiting`'s operation still has time; if not, its lookup fails with OPERATION_TIMEOUT. */
function inTime(waiting: Waiting): boolean {
  try {
    checkDeadline(waiting.em);
    return true;
  } catch (error) {
    waiting.reject(error);
    return false;
  }
}

/** Sends `shared` (once), and gives each waiting lookup its rows, or the statement's failure. */
async function sendShared(knex: Knex, shared: SharedLookup): Promise<void> {
  if (shared.sent) return;
  shared.sent = true;
  let waiting = shared.waiting.filter(inTime);
  if (waiting.length === 0) return;
  const query = queryOf(shared.statement, shared.values(uuidArray([...shared.ids])));
  try {
    const rows = await send(waiting[0]!.em, knex, query, {
      // The wait for a connection may have used up some operations' time.
      admitted: () => {
        waiting = waiting.filter(inTime);
        if (waiting.length === 0) throw new Error('every operation of a shared lookup ran out of time');
      },
      answered: (ms) => {
        const counted = new Set<EntityManager>();
        for (const { em, origin } of waiting) {
          if (counted.has(em)) continue;
          counted.add(em);
          countStatement(em.id, query.text, ms, origin);
        }
      },
    });
    const byId = new Map<string, Row[]>();
    for (const row of rows) {
      const id = row.id as string;
      const same = byId.get(id);
      if (same) same.push(row);
      else byId.set(id, [row]);
    }
    for (const { ids, resolve } of waiting) resolve([...new Set(ids)].flatMap((id) => byId.get(id) ?? []));
  } catch (error) {
    // Those already refused keep their own error: a promise settles once.
    for (const { reject } of waiting) reject(error);
  }
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
  const rows = await readByIds(ctx, byIdsStatement(source), ids, (array) => [array, ...conditionValues]);
  const byId = new Map(rows.map((row) => [row.id as string, source.toRecord(row)]));
  return ids.map((id) => byId.get(id) ?? null);
}
