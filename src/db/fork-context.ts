import type { EntityManager, Knex } from '@mikro-orm/postgresql';

/**
 * What every statement of an operation runs in, and what every service call gets first: the
 * operation's own fork (its unit of work). Services read, `persist` and `remove` through it; only the
 * unit-of-work plugin flushes or clears it.
 */
export interface ForkContext {
  readonly em: EntityManager;
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
