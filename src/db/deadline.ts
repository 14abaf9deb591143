import { OperationTimeoutError } from '../shared/errors';
import { reportRefusedLate } from './statement-tally';

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

/** The operation `owner` has answered: from now on it sends no statement (see {@link checkDeadline}). */
export function endDeadline(owner: number): void {
  deadlines.delete(owner);
}

/**
 * A statement of an operation that has answered: sent by work that a resolver left running (a promise
 * it did not wait for). Its answer would go nowhere, and its operation's fork is cleared.
 */
export class OperationEndedError extends Error {
  constructor() {
    super('The operation has answered: it sends no more statements');
  }
}

/**
 * OPERATION_TIMEOUT once the operation `owner` is out of time; OperationEndedError once it has
 * answered (an operation's number is negative, db/fork-context.ts: one with no deadline has ended;
 * other owners, a fork's own id, have none to keep). Checked before every statement an operation
 * sends, so that an operation past its time starts no more work: it ends within its limit plus the
 * statement it was running (itself bounded by PostgreSQL's statement timeout). `statement` (and the
 * field that sends it, `origin`, when not the current one) is reported with diagnostics if refused
 * for an operation that has answered.
 */
export function checkDeadline(owner: number, statement?: string, origin?: string): void {
  const deadline = deadlines.get(owner);
  if (deadline === undefined) {
    if (owner >= 0) return;
    reportRefusedLate(owner, statement, origin);
    throw new OperationEndedError();
  }
  if (Date.now() > deadline.at || allExpiredAt !== undefined) throw new OperationTimeoutError(deadline.limitMs);
}
