import { randomUUID } from 'node:crypto';
import { unwrapResolverError } from '@apollo/server/errors';
import {
  CheckConstraintViolationException,
  ConnectionException,
  DriverException,
  ForeignKeyConstraintViolationException,
  NotNullConstraintViolationException,
  OptimisticLockError,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from '../logger';
import { DomainError, RateLimitedError } from '../shared/errors';

/** The one place where failures become client errors with a stable `extensions.code`. */

type Code =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'OPERATION_TIMEOUT'
  | 'STATEMENT_TIMEOUT'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR';

/** What a database constraint means to a client: the input field it is about and what to say. */
const CONSTRAINTS: Record<string, { code: Code; field: string; message: string }> = {
  users_username_unique: { code: 'CONFLICT', field: 'input.username', message: 'This username is already taken' },
  users_email_unique: { code: 'CONFLICT', field: 'input.email', message: 'This email address is already registered' },
  recommendations_active_title_unique: {
    code: 'CONFLICT',
    field: 'input.title',
    message: 'An active recommendation already has this title',
  },
  devices_owner_id_foreign: { code: 'CONFLICT', field: 'input.ownerId', message: 'The owner no longer exists' },
  events_device_id_foreign: { code: 'CONFLICT', field: 'deviceId', message: 'The device was deleted meanwhile' },
};

/** PostgreSQL error codes that mean "try again later", not "your request is wrong". */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08003', '08006']);
/** PostgreSQL's code of a statement cancelled: past `statement_timeout` (DB_STATEMENT_TIMEOUT_MS), or by an administrator. */
const CANCELLED_SQLSTATE = '57014';
/** PostgreSQL error codes of a transaction undone for a concurrent one (deadlock, serialization): safe to retry. */
const RETRY_SQLSTATES = new Set(['40P01', '40001']);
/** Seconds a client is asked to wait when the database is unavailable. */
export const RETRY_AFTER_SECONDS = 5;

/** Apollo's `formatError`: domain and database failures get their code; anything else is masked and logged. */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof RateLimitedError) {
      return { ...formatted, message: original.message, extensions: { code: original.code, retryAfterSeconds: original.retryAfterSeconds } };
    }
    if (original instanceof DomainError) return withCode(formatted, original.message, original.code, original.field);
    // Apollo's own errors (parse, validation, variable coercion) and the scalars' are already coded.
    if (original instanceof GraphQLError) return formatted;
    return { ...formatted, ...flushError(original, logger) };
  };
}

/**
 * A refusal for want of rate limit, as a request-level error (thrown before execution: by the context
 * or a plugin, where a domain error would be masked): RATE_LIMITED, HTTP 429, Retry-After.
 */
export function rateLimitedRequest(error: RateLimitedError): GraphQLError {
  const retryAfterSeconds = error.retryAfterSeconds;
  return new GraphQLError(error.message, {
    extensions: {
      code: error.code,
      retryAfterSeconds,
      http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
    },
  });
}

/** Error codes that tell a client to come back later, with their HTTP status (the first one found wins). */
const RETRY_LATER: ReadonlyArray<[code: Code, status: number]> = [
  ['SERVICE_UNAVAILABLE', 503],
  ['RATE_LIMITED', 429],
];

/**
 * The HTTP status and Retry-After seconds of a response with these errors: 503 when the database is
 * unavailable, 429 when the caller's rate limit is reached; undefined otherwise (200).
 */
export function retryLaterFor(errors: readonly GraphQLFormattedError[] | undefined): { status: number; retryAfterSeconds: number } | undefined {
  for (const [code, status] of RETRY_LATER) {
    const error = errors?.find((e) => e.extensions?.code === code);
    if (error) return { status, retryAfterSeconds: Number(error.extensions?.retryAfterSeconds ?? RETRY_AFTER_SECONDS) };
  }
  return undefined;
}

/** A failure of the final flush (or of a resolver's database access), as the error a client gets. */
export function flushError(error: unknown, logger: Logger): GraphQLFormattedError {
  if (RETRY_SQLSTATES.has((error as { code?: string }).code ?? '')) {
    return {
      message: 'The operation clashed with a concurrent one and was undone; retry it',
      extensions: { code: 'CONFLICT' },
    };
  }
  if ((error as { code?: string }).code === CANCELLED_SQLSTATE) {
    logger.warn(loggable(error), 'statement cancelled (statement timeout)');
    return {
      message: 'A database statement ran past its time limit and was cancelled: ask for less at a time, or retry later',
      extensions: { code: 'STATEMENT_TIMEOUT' },
    };
  }
  if (error instanceof OptimisticLockError) {
    return {
      message: 'The object was changed by someone else meanwhile; read it again and retry',
      extensions: { code: 'CONFLICT', field: 'input.expectedVersion' },
    };
  }
  if (
    error instanceof UniqueConstraintViolationException ||
    error instanceof ForeignKeyConstraintViolationException ||
    error instanceof CheckConstraintViolationException ||
    error instanceof NotNullConstraintViolationException
  ) {
    const constraint = (error as { constraint?: string }).constraint;
    const known = constraint ? CONSTRAINTS[constraint] : undefined;
    if (known) return { message: known.message, extensions: { code: known.code, field: known.field } };
  }
  if (isUnavailable(error)) {
    logger.warn(loggable(error), 'database unavailable');
    return {
      message: 'The service is temporarily unavailable; retry shortly',
      extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: RETRY_AFTER_SECONDS },
    };
  }
  const errorId = randomUUID();
  logger.error({ ...loggable(error), errorId }, 'internal error');
  return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', errorId } };
}

/**
 * What a log may keep of an error. MikroORM's driver errors carry the SQL with its values inlined
 * (emails, password hashes): only PostgreSQL's own message and codes are kept of those.
 */
export function loggable(error: unknown): Record<string, unknown> {
  if (!(error instanceof DriverException)) return { err: error };
  const { code, constraint, table, column } = error as DriverException & Record<string, string | undefined>;
  // The stack's first line repeats the message; its frames are safe.
  const stack = error.stack?.split('\n').filter((line) => line.trim().startsWith('at ')).join('\n');
  return { err: { type: error.name, code, constraint, table, column, message: error.message.split(' - ').at(-1), stack } };
}

function isUnavailable(error: unknown): boolean {
  if (error instanceof ConnectionException) return true;
  const e = error as { name?: string; code?: string; message?: string };
  return (
    // Pool exhausted: knex's KnexTimeoutError, which MikroORM re-wraps as a DriverException.
    e.name === 'KnexTimeoutError' ||
    (typeof e.message === 'string' && e.message.includes('Timeout acquiring a connection')) ||
    e.code === 'ECONNREFUSED' ||
    e.code === 'ECONNRESET' ||
    (typeof e.code === 'string' && UNAVAILABLE_SQLSTATES.has(e.code))
  );
}

function withCode(formatted: GraphQLFormattedError, message: string, code: Code, field?: string): GraphQLFormattedError {
  return { ...formatted, message, extensions: { code, ...(field && { field }) } };
}
