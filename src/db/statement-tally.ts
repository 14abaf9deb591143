import { AsyncLocalStorage } from 'node:async_hooks';

/** How often one field of an operation sent one statement shape. */
export interface ShapeCount {
  count: number;
  /** The field path (list indexes left out: every parent's call to one field shares it). */
  readonly origin: string | undefined;
  readonly statement: string;
}

/** What one GraphQL operation has sent to the database: counted as its statements are sent. */
export class StatementTally {
  statements = 0;
  /** Set once the operation has answered: a statement after that outlived it. */
  ended = false;
  /**
   * Statements by field and shape, kept only when diagnostics are on (null otherwise: no cost). Keyed
   * by both, so that aliases (their own paths) are not taken for one field repeating itself.
   */
  readonly shapes: Map<string, ShapeCount> | null;

  constructor(
    /** The request the operation belongs to, for the log lines of its statements. */
    readonly reqId: string,
    options: { diagnostics: boolean },
  ) {
    this.shapes = options.diagnostics ? new Map() : null;
  }
}

const current = new AsyncLocalStorage<StatementTally>();
const origins = new AsyncLocalStorage<string>();

/** Runs `work` with every statement it sends, however deep in its async calls, counted in `tally`. */
export function countingStatements<T>(tally: StatementTally, work: () => T): T {
  return current.run(tally, work);
}

/** The tally of the operation whose work is running now, if any (the rate limiter's own statements have none). */
export function currentTally(): StatementTally | undefined {
  return current.getStore();
}

/** Runs `work` with its statements attributed to `origin` (a GraphQL field path), for diagnostics. */
export function fromOrigin<T>(origin: string, work: () => T): T {
  return origins.run(origin, work);
}

/** Where the statement being sent now comes from, if diagnostics recorded it. */
export function currentOrigin(): string | undefined {
  return origins.getStore();
}
