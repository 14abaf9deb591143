import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * What every statement of an operation runs in, and what every service call gets first: the
 * operation's own fork (its unit of work). Services read, `persist` and `remove` through it; only the
 * unit-of-work plugin flushes or clears it.
 */
export interface ForkContext {
  readonly em: EntityManager;
  /** Its point lookups are its own statements, never shared with other operations' (the no-loader mode, to measure the N+1). */
  readonly alone?: boolean;
}
