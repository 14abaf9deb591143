import { OperationTimeoutError } from '../shared/errors';

/** When each operation's time is up, by the number its statements answer to (db/fork-context.ts: `statementOwner`). */
const deadlines = new Map<number, { at: number; limitMs: number }>();
/** Set when a shutdown's grace period is over: every operation still running is out of time. */
let allExpiredAt: number | undefined;

/** Ends the time of every operation running now or later (a shutdown past its grace period): each stops at its next statement. */
export function expireAllDeadlines(): void {
  allExpiredAt = Date.now();
}

/** Gives the operation `owner` `limitMs` from now, until {@link endDeadline}. */
export function startDeadline(owner: number, limitMs: number): void {
  deadlines.set(owner, { at: Date.now() + limitMs, limitMs });
}

/** The operation `owner` has answered: a statement it still sends is no longer timed. */
export function endDeadline(owner: number): void {
  deadlines.delete(owner);
}

/**
 * OPERATION_TIMEOUT once the operation `owner` is out of time. Checked before every statement an
 * operation sends, so that an operation past its time starts no more work: it ends within its limit
 * plus the statement it was running (itself bounded by PostgreSQL's statement timeout).
 */
export function checkDeadline(owner: number): void {
  const deadline = deadlines.get(owner);
  if (deadline && (Date.now() > deadline.at || allExpiredAt !== undefined)) throw new OperationTimeoutError(deadline.limitMs);
}
