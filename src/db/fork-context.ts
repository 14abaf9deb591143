import type { EntityManager, ForkOptions, Knex } from '@mikro-orm/postgresql';

/**
 * What every statement of an operation runs in, and what every service call gets first: the
 * operation's own fork (its unit of work). Services read, `persist` and `remove` through it; only the
 * unit-of-work plugin flushes or clears it.
 */
export interface ForkContext {
  /** The operation's fork. A GraphQL operation's is made on first use (see {@link OperationFork}): reading `em` makes it. */
  readonly em: EntityManager;
  /** A GraphQL operation's: its fork made on first use, and the number its statements are timed and counted under. */
  readonly operation?: OperationFork;
  /** Its point lookups are its own statements, never shared with other operations' (the no-loader mode, to measure the N+1). */
  readonly alone?: boolean;
  /** The streaming replica its reads outside a transaction go to (a query's, with replicas set up); none: the primary. */
  readonly replica?: ReadReplica;
}

/** The server a statement went to, as the log lines and metrics name it, when it is not a replica. */
export const PRIMARY = 'primary';

/**
 * A streaming replica that a query's reads may go to (db/replicas.ts keeps them): its own pool, and
 * whether it may take reads now.
 */
export interface ReadReplica {
  /** As the log lines and metrics name it (`replica-1`, …). */
  readonly name: string;
  readonly knex: Knex;
  /** Up, a standby, and not lagging past the limit, at its last check. */
  usable(): boolean;
  /** A read sent to it failed with `error`: whether it goes to the primary instead (the replica's failure, not the statement's). */
  failed(error: unknown): boolean;
}

/**
 * A GraphQL operation's fork, made when something first needs it: a statement in its transaction, an
 * entity to load or persist. A query that only reads records (a point lookup, a dashboard) never makes
 * one: its statements go through `outside` (the same pool, outside any transaction) and leave nothing in
 * any identity map. Forking and clearing a fork for every operation cost a point
 * lookup a sixth of its CPU, most of it in the garbage it left (docs/PERFORMANCE.md).
 */
export class OperationFork {
  private static last = 0;
  /**
   * The number the operation's statements are timed and counted under, before and after its fork is
   * made (the fork's logger context carries it): negative, never an EntityManager's own id, which the
   * statements of other forks are counted under.
   */
  readonly id = --OperationFork.last;
  private made: EntityManager | undefined;

  constructor(
    /** The ORM's root EntityManager, which the fork is made from. */
    private readonly root: EntityManager,
    private readonly options: ForkOptions,
    /**
     * What statements go through before the fork is made, for its pool, driver and events only: a fork
     * of the ORM's own that never holds an entity nor begins a transaction, shared by every operation,
     * and that resolves no context (the root EntityManager would pick up a transaction of MikroORM's
     * `transactional` from the async context).
     */
    readonly outside: EntityManager,
  ) {}

  /** The fork, made now if it was not. */
  get em(): EntityManager {
    return (this.made ??= this.root.fork({ ...this.options, loggerContext: { id: this.id } }));
  }

  /** The fork if made (undefined: nothing has used it; there is nothing to flush or clear). */
  get fork(): EntityManager | undefined {
    return this.made;
  }
}

/**
 * What a statement of `ctx` goes through and answers to: its fork, or while its operation has made none
 * the operation's `outside` (the same pool; no transaction, no entities); and the number it is timed
 * and counted under (see {@link statementOwner}).
 */
export function statementRoute(ctx: ForkContext): { readonly em: EntityManager; readonly owner: number } {
  const { operation } = ctx;
  if (!operation) return { em: ctx.em, owner: statementOwner(ctx.em) };
  return { em: operation.fork ?? operation.outside, owner: operation.id };
}

/** The number the statements of `em` are timed and counted under: its operation's, for an operation's fork (its logger context's id), else its own id. */
export function statementOwner(em: EntityManager): number {
  const { id } = em.getLoggerContext<{ id?: unknown }>();
  return typeof id === 'number' ? id : em.id;
}
