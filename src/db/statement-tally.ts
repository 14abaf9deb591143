import { DefaultLogger, type LogContext, type LoggerOptions } from '@mikro-orm/core';
import { AsyncLocalStorage } from 'node:async_hooks';
import { PRIMARY } from './fork-context';

/** How often one field of an operation sent one statement shape. */
export interface ShapeCount {
  count: number;
  /** The field path (list indexes left out: every parent's call to one field shares it). */
  readonly origin: string | undefined;
  readonly statement: string;
}

/** How the tallies of operations report. */
export interface TallyOptions {
  readonly diagnostics: boolean;
  /** A statement of an operation that took at least this long is reported to `onSlow`. */
  readonly slowMs: number;
  onSlow(reqId: string, statement: string, ms: number): void;
  /** A statement sent, or refused, after its operation answered (diagnostics only). */
  onLate(reqId: string, statement: string, origin: string | undefined): void;
}

/**
 * What one GraphQL operation has sent to the database, counted as its statements are sent: by the
 * operation's number (db/fork-context.ts: `statementOwner`), which every statement of the operation
 * names, its fork's own through the fork's logger context. No
 * async-context tracking: on Node 20 that slows every promise of the process (measured: about a
 * tenth of S1's throughput).
 */
export class StatementTally {
  statements = 0;
  /** How many of them went to each replica (the rest: to the primary); none until one does. */
  onReplicas: Map<string, number> | undefined;
  /** Set once the operation has answered: a statement after that outlived it. */
  ended = false;
  /**
   * Statements by field and shape, kept only when diagnostics are on (null otherwise: no cost). Keyed
   * by both, so that aliases (their own paths) are not taken for one field repeating itself.
   */
  readonly shapes: Map<string, ShapeCount> | null;

  constructor(
    /** The request the operation belongs to, for its log lines. */
    readonly reqId: string,
    /** Shared by every operation's tally: they hold the request id only, so a kept tally keeps no operation alive. */
    private readonly options: TallyOptions,
  ) {
    this.shapes = options.diagnostics ? new Map() : null;
  }

  /**
   * Counts one answered (or failed) statement of the operation, which took `ms` on `server`; with
   * diagnostics, its shape and the field that sent it (`origin`).
   */
  count(sql: string, ms: number, origin: string | undefined, server: string): void {
    this.statements++;
    if (server !== PRIMARY) {
      this.onReplicas ??= new Map();
      this.onReplicas.set(server, (this.onReplicas.get(server) ?? 0) + 1);
    }
    if (ms >= this.options.slowMs) this.options.onSlow(this.reqId, statementShape(sql), ms);
    if (!this.shapes) return;
    const statement = statementShape(sql);
    const key = `${origin ?? ''}\u0000${statement}`;
    const seen = this.shapes.get(key);
    if (seen) seen.count++;
    else this.shapes.set(key, { count: 1, origin, statement });
    if (this.ended) this.options.onLate(this.reqId, statement, origin);
  }

  /** A statement the operation tried to send after it answered, refused (db/deadline.ts): reported as if sent. */
  refusedLate(sql: string, origin: string | undefined): void {
    if (this.shapes) this.options.onLate(this.reqId, statementShape(sql), origin);
  }
}

/** The tallies of the operations running, by the number their statements answer to; with diagnostics, also of the last ended ones. */
const tallies = new Map<number, StatementTally>();
/** How many ended tallies are kept (diagnostics only), to catch statements sent after their operation. */
const KEPT_ENDED = 1_000;
const ended: number[] = [];

/** Counts the statements of the operation `owner` in `tally` until {@link endTally}. */
export function startTally(owner: number, tally: StatementTally): void {
  tallies.set(owner, tally);
}

/** The operation `owner` has answered. Its tally stays a while with diagnostics, to catch late statements. */
export function endTally(owner: number): void {
  const tally = tallies.get(owner);
  if (!tally) return;
  tally.ended = true;
  if (!tally.shapes) {
    tallies.delete(owner);
    return;
  }
  ended.push(owner);
  if (ended.length > KEPT_ENDED) tallies.delete(ended.shift()!);
}

/** Reports a statement of the operation `owner` refused because it has answered (diagnostics: its tally is kept a while). */
export function reportRefusedLate(owner: number, sql: string | undefined, origin = currentOrigin()): void {
  if (sql !== undefined) tallies.get(owner)?.refusedLate(sql, origin);
}

/**
 * Counts a statement of the operation `owner`, answered or failed after `ms` (`read` in db/sql.ts, and the ORM's
 * own through {@link TallyingLogger}); sent for the field `origin` (diagnostics), when not the current
 * one, to `server` (the ORM's own: the primary).
 */
export function countStatement(owner: number | undefined, sql: string, ms: number, origin = currentOrigin(), server = PRIMARY): void {
  if (owner !== undefined) tallies.get(owner)?.count(sql, ms, origin, server);
}

/**
 * MikroORM's logger, counting each statement the ORM sends for an operation's fork (its log context
 * names the operation's number, or a fork's own id). Logs as MikroORM's default logger does otherwise (nothing, with `debug` off).
 */
export class TallyingLogger extends DefaultLogger {
  static override create(this: void, options: LoggerOptions): TallyingLogger {
    return new TallyingLogger(options);
  }

  override logQuery(context: { query: string } & LogContext): void {
    // Logged once per statement: when answered, or (level `error`) when it failed.
    countStatement(typeof context.id === 'number' ? context.id : undefined, context.query, typeof context.took === 'number' ? context.took : 0);
    super.logQuery(context);
  }
}

const origins = new AsyncLocalStorage<string>();

/** The GraphQL field whose work is running now (diagnostics only; else undefined). */
export function currentOrigin(): string | undefined {
  return origins.getStore();
}

/** Runs `work` with its statements attributed to `origin` (a GraphQL field path): diagnostics only. */
export function fromOrigin<T>(origin: string, work: () => T): T {
  return origins.run(origin, work);
}

/**
 * A statement's text without its values, for logs: every quoted string and every number becomes `?`
 * (placeholders such as `$1` stay). The texts counted here carry placeholders already; this keeps a
 * log line safe should one ever carry values (MikroORM's query-params logging inlines them). At most
 * 500 characters.
 */
export function statementShape(sql: string): string {
  return sql
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/(?<![$\w])\d+(?:\.\d+)?\b/g, '?')
    .slice(0, 500);
}
