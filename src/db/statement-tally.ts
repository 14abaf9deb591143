import { AsyncLocalStorage } from 'node:async_hooks';

/** What one GraphQL operation has sent to the database: counted as its statements are sent. */
export class StatementTally {
  statements = 0;
  constructor(
    /** The request the operation belongs to, for the log lines of its statements. */
    readonly reqId: string,
  ) {}
}

const current = new AsyncLocalStorage<StatementTally>();

/** Runs `work` with every statement it sends, however deep in its async calls, counted in `tally`. */
export function countingStatements<T>(tally: StatementTally, work: () => T): T {
  return current.run(tally, work);
}

/** The tally of the operation whose work is running now, if any (the rate limiter's own statements have none). */
export function currentTally(): StatementTally | undefined {
  return current.getStore();
}
