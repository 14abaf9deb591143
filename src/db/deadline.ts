import type { EntityManager } from '@mikro-orm/postgresql';
import { OperationTimeoutError } from '../shared/errors';

/** When each operation's time is up, by its fork (a fork is one operation's). */
const deadlines = new WeakMap<EntityManager, { at: number; limitMs: number }>();
/** Set when a shutdown's grace period is over: every operation still running is out of time. */
let allExpiredAt: number | undefined;

/** Ends the time of every operation running now or later (a shutdown past its grace period): each stops at its next statement. */
export function expireAllDeadlines(): void {
  allExpiredAt = Date.now();
}

/** Gives the operation of `em` `limitMs` from now. */
export function startDeadline(em: EntityManager, limitMs: number): void {
  deadlines.set(em, { at: Date.now() + limitMs, limitMs });
}

/**
 * OPERATION_TIMEOUT once the operation of `em` is out of time. Checked before every statement an
 * operation sends, so that an operation past its time starts no more work: it ends within its limit
 * plus the statement it was running (itself bounded by PostgreSQL's statement timeout).
 */
export function checkDeadline(em: EntityManager): void {
  const deadline = deadlines.get(em);
  if (deadline && (Date.now() > deadline.at || allExpiredAt !== undefined)) throw new OperationTimeoutError(deadline.limitMs);
}
