import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { checkDeadline } from './deadline';
import { statementRoute, type ForkContext, type ReadReplica } from './fork-context';
import { prepared, queryOf, read, sendRead, uuidArray, type Prepared, type Query, type Row } from './sql';
import { countStatement, currentOrigin } from './statement-tally';

/** What a point lookup reads: rows by id, each kept to what the caller who asks for it may see. */
export interface LookupSource {
  /** Names the source's prepared statements. */
  readonly name: string;
  /** The columns of a row, its id among them as `id`. */
  readonly columns: string;
  /** The table, or the tables joined, the rows come from. */
  readonly from: string;
  /** The column the ids asked for are compared with. */
  readonly id: string;
  /**
   * Which rows a caller may have: a boolean SQL expression whose placeholders are each cast
   * (`?::uuid`), their values the caller's (each lookup gives them).
   */
  readonly condition: string;
}

/** The statements of a source, prepared once per connection. */
interface LookupStatements {
  /** One caller's lookup: values, the ids (one `uuid[]`), then the condition's. */
  readonly own: Prepared;
  /**
   * Several callers' lookups in one: each id with the number of the caller who asked for it (from 1),
   * then one array per placeholder of the condition, a value per caller; rows carry `lookup_asker`.
   * Null when the condition takes no values: every caller's lookup is then the same.
   */
  readonly shared: Prepared | null;
}

const statementsOf = new WeakMap<LookupSource, LookupStatements>();

function lookupStatements(source: LookupSource): LookupStatements {
  let statements = statementsOf.get(source);
  if (!statements) {
    const types: string[] = [];
    const perCaller = source.condition.replace(/\?::(\w+)/g, (_, type: string) => {
      types.push(type);
      return `asker.lookup_p${types.length}`;
    });
    if (perCaller.includes('?')) throw new Error(`a placeholder of ${source.name}'s condition is not cast: ${source.condition}`);
    const columns = types.map((_, i) => `lookup_p${i + 1}`);
    statements = {
      own: prepared(`${source.name}-by-id`, `select ${source.columns} from ${source.from} where ${source.id} = any(?::uuid[]) and ${source.condition}`),
      shared:
        types.length === 0
          ? null
          : prepared(
              `${source.name}-by-id-shared`,
              `select asked.lookup_asker, ${source.columns}
              from unnest(?::uuid[], ?::int[]) as asked(lookup_id, lookup_asker)
              join unnest(${types.map((type) => `?::${type}[]`).join(', ')}) with ordinality as asker(${columns.join(', ')}, lookup_n)
                on asker.lookup_n = asked.lookup_asker,
              ${source.from}
              where ${source.id} = asked.lookup_id and ${perCaller}`,
            ),
    };
    statementsOf.set(source, statements);
  }
  return statements;
}

/**
 * How many ids (counted once per caller) one shared lookup takes at most: a larger batch is sent as
 * it is, and the next lookups start another.
 */
const MAX_SHARED_IDS = 1_000;

/** One operation's lookup, waiting for the shared statement it is part of. */
interface Waiting {
  readonly ids: readonly string[];
  readonly asker: Asker;
  /** What the operation's statements go through (see `statementRoute`). */
  readonly em: EntityManager;
  /** The number the operation's statements answer to: its deadline, and its tally, which counts the shared statement once. */
  readonly owner: number;
  /** The field that asked (diagnostics): the shared statement counts as this field's. */
  readonly origin: string | undefined;
  readonly resolve: (rows: Row[]) => void;
  readonly reject: (error: unknown) => void;
}

/** The lookups of callers alike (the same condition values), numbered from 1 in their shared lookup. */
interface Asker {
  readonly number: number;
  readonly conditionValues: readonly unknown[];
  readonly ids: Set<string>;
}

/** The lookups of one source gathered until the event loop's next check phase. */
interface SharedLookup {
  readonly source: LookupSource;
  /** The replica the operations read from (none: the primary). */
  readonly replica: ReadReplica | undefined;
  readonly askers: Map<string, Asker>;
  readonly waiting: Waiting[];
  size: number;
  sent: boolean;
}

/** The lookups being gathered, by the pool they go to (knex: a process may run several ORMs, and replicas) and source. */
const gathering = new WeakMap<Knex, Map<LookupSource, SharedLookup>>();

/**
 * The rows of `source` with `ids` that a caller with `conditionValues` (the source condition's values)
 * may see, in no order.
 *
 * Outside a transaction (a query), the lookups of one source that operations make while one turn of
 * the event loop runs are sent as one statement at the end of that turn, whoever the callers: under
 * load, point lookups (S1) cost one round trip for many operations rather than one each
 * (docs/PERFORMANCE.md). The rows of each id are still those its own caller may see: with callers
 * alike, the statement is the one each would send; with several, the condition is applied per
 * caller, in the statement. Each operation gets only the rows of its own ids and counts the statement
 * among its own, once; its rows are read after it asked, as by a statement of its own. An operation
 * out of time by then is left out (OPERATION_TIMEOUT), as before a statement of its own. Operations
 * that read from a replica share lookups with those of the same replica only. Inside a transaction (a
 * mutation), or when `ctx` is `alone`, the lookup is the operation's own statement (in a transaction,
 * on its connection).
 */
export function readByIds(ctx: ForkContext, source: LookupSource, ids: readonly string[], conditionValues: readonly unknown[]): Promise<Row[]> {
  const { em, owner } = statementRoute(ctx);
  const statements = lookupStatements(source);
  if (em.getTransactionContext() || ctx.alone) return read(ctx, statements.own, [uuidArray(ids), ...conditionValues]);
  checkDeadline(owner, statements.own.text);
  // A malformed id fails this lookup alone, not the statement it would share.
  uuidArray(ids);
  const replica = ctx.replica?.usable() ? ctx.replica : undefined;
  const knex = replica?.knex ?? em.getKnex();
  let lookups = gathering.get(knex);
  if (!lookups) gathering.set(knex, (lookups = new Map<LookupSource, SharedLookup>()));
  let shared = lookups.get(source);
  if (shared && shared.size + ids.length > MAX_SHARED_IDS) {
    lookups.delete(source);
    void sendShared(shared);
    shared = undefined;
  }
  if (!shared) {
    const started: SharedLookup = { source, replica, askers: new Map(), waiting: [], size: 0, sent: false };
    lookups.set(source, started);
    setImmediate(() => {
      if (lookups.get(source) === started) lookups.delete(source);
      void sendShared(started);
    });
    shared = started;
  }
  const key = JSON.stringify(conditionValues);
  let asker = shared.askers.get(key);
  if (!asker) shared.askers.set(key, (asker = { number: shared.askers.size + 1, conditionValues, ids: new Set() }));
  for (const id of ids) {
    if (asker.ids.has(id)) continue;
    asker.ids.add(id);
    shared.size++;
  }
  const waiting = { ids, asker, em, owner, origin: currentOrigin() };
  const gathered = shared;
  return new Promise<Row[]>((resolve, reject) => gathered.waiting.push({ ...waiting, resolve, reject }));
}

/** Whether `waiting`'s operation still has time; if not (or it has answered), its lookup fails with OPERATION_TIMEOUT (OperationEndedError). */
function inTime(waiting: Waiting, statement: string): boolean {
  try {
    checkDeadline(waiting.owner, statement, waiting.origin);
    return true;
  } catch (error) {
    waiting.reject(error);
    return false;
  }
}

/**
 * The statement of `shared`'s lookups: the callers' own when they are alike (`mixed` false: every row
 * is theirs), else the one that says whose each row is (`lookup_asker`).
 */
function queryFor(shared: SharedLookup): { query: Query; mixed: boolean } {
  const statements = lookupStatements(shared.source);
  const askers = [...shared.askers.values()];
  // A condition without values makes every caller alike: one asker.
  if (askers.length === 1 || !statements.shared) {
    const [asker] = askers;
    return { query: queryOf(statements.own, [uuidArray([...asker!.ids]), ...asker!.conditionValues]), mixed: false };
  }
  const ids: string[] = [];
  const numbers: number[] = [];
  for (const asker of askers) {
    for (const id of asker.ids) {
      ids.push(id);
      numbers.push(asker.number);
    }
  }
  const perPlaceholder = askers[0]!.conditionValues.map((_, i) => askers.map((asker) => asker.conditionValues[i]));
  return { query: queryOf(statements.shared, [uuidArray(ids), numbers, ...perPlaceholder]), mixed: true };
}

/** Sends `shared` (once), and gives each waiting lookup its rows, or the statement's failure. */
async function sendShared(shared: SharedLookup): Promise<void> {
  if (shared.sent) return;
  shared.sent = true;
  // Reported, if refused for an operation that has answered, as the lookup its field asked for.
  const asked = lookupStatements(shared.source).own.text;
  const stillWanted = (one: Waiting) => inTime(one, asked);
  let waiting = shared.waiting.filter(stillWanted);
  if (waiting.length === 0) return;
  const { query, mixed } = queryFor(shared);
  try {
    const rows = await sendRead(waiting[0]!.em, shared.replica, query, {
      // The wait for a connection may have used up some operations' time.
      admitted: () => {
        waiting = waiting.filter(stillWanted);
        if (waiting.length === 0) throw new Error('every operation of a shared lookup ran out of time');
      },
      answered: (ms, server) => {
        const counted = new Set<number>();
        for (const { owner, origin } of waiting) {
          if (counted.has(owner)) continue;
          counted.add(owner);
          countStatement(owner, query.text, ms, origin, server);
        }
      },
    });
    // By caller, then by id.
    const byAsker = new Map<unknown, Map<string, Row[]>>();
    for (const row of rows) {
      const asker = mixed ? row.lookup_asker : 1;
      let byId = byAsker.get(asker);
      if (!byId) byAsker.set(asker, (byId = new Map<string, Row[]>()));
      const same = byId.get(row.id as string);
      if (same) same.push(row);
      else byId.set(row.id as string, [row]);
    }
    for (const { ids, asker, resolve } of waiting) {
      const byId = byAsker.get(mixed ? asker.number : 1);
      resolve([...new Set(ids)].flatMap((id) => byId?.get(id) ?? []));
    }
  } catch (error) {
    // Those already refused keep their own error: a promise settles once.
    for (const { reject } of waiting) reject(error);
  }
}

/**
 * How one kind of record is read: its table, the columns a record needs, how a row becomes one, and
 * the condition every read of it adds (which rows its reader may have; see {@link LookupSource}).
 */
export interface RecordSource<R> {
  readonly table: string;
  readonly columns: string;
  toRecord(row: Row): R;
  readonly condition: string;
}

/** Each record source's lookup by id. */
const lookupsOf = new WeakMap<RecordSource<unknown>, LookupSource>();

function lookupOf(source: RecordSource<unknown>): LookupSource {
  let lookup = lookupsOf.get(source);
  if (!lookup) {
    lookup = { name: source.table, columns: source.columns, from: source.table, id: 'id', condition: source.condition };
    lookupsOf.set(source, lookup);
  }
  return lookup;
}

/**
 * Records by id in the order of `ids`, null where none has that id or the source's condition (with
 * `conditionValues`) leaves it out: a `…ById` loader's batch (see {@link readByIds}).
 */
export async function recordsByIds<R extends { readonly id: string }>(
  ctx: ForkContext,
  source: RecordSource<R>,
  ids: readonly string[],
  conditionValues: readonly unknown[],
): Promise<Array<R | null>> {
  const rows = await readByIds(ctx, lookupOf(source), ids, conditionValues);
  const byId = new Map(rows.map((row) => [row.id as string, source.toRecord(row)]));
  return ids.map((id) => byId.get(id) ?? null);
}
