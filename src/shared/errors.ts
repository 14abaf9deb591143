/** A failure the caller can act on; the GraphQL layer turns it into an error with `extensions.code`. */
export abstract class DomainError extends Error {
  abstract readonly code: 'BAD_USER_INPUT' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'RATE_LIMITED' | 'OPERATION_TIMEOUT';
  constructor(
    message: string,
    /** The input path the error is about, e.g. `input.username` or `inputs[3].consumption`. */
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that breaks a validation rule. */
export class InvalidInputError extends DomainError {
  readonly code = 'BAD_USER_INPUT';
  constructor(field: string, message: string) {
    super(message, field);
  }
}

/** An id that names nothing (or nothing the caller may use). */
export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor(what: string, id: string, field = 'id') {
    super(`${what} ${id} does not exist`, field);
  }
}

/** The request clashes with the current state: a taken unique value, a stale version. */
export class ConflictError extends DomainError {
  readonly code = 'CONFLICT';
  constructor(field: string, message: string) {
    super(message, field);
  }
}

/** The request needs a signed-in caller, or the sign-in failed. */
export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
}

/** The caller is known but may not do this. */
export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
}

/** The caller has spent their budget for now; `usage` says when it is back. */
export class RateLimitedError extends DomainError {
  readonly code = 'RATE_LIMITED';
  constructor(
    message: string,
    readonly usage: { readonly limit: number; readonly remaining: number; readonly resetAt: Date },
  ) {
    super(message);
  }

  /** Whole seconds until the budget is back (at least 1). */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.usage.resetAt.getTime() - Date.now()) / 1000));
  }
}

/** The operation ran out of time and was stopped; a mutation's changes were undone. */
export class OperationTimeoutError extends DomainError {
  readonly code = 'OPERATION_TIMEOUT';
  constructor(limitMs: number) {
    super(`The operation took longer than ${limitMs} ms and was stopped: ask for less at a time, or retry later`);
  }
}
