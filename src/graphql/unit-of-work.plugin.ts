import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { FlushMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { GraphQLError, OperationTypeNode, type GraphQLFieldResolver, type GraphQLFormattedError } from 'graphql';
import { callerName, type Caller } from '../auth/caller';
import { reportDiagnostic } from '../db/database-stats';
import { checkDeadline, endDeadline, startDeadline } from '../db/deadline';
import { OperationFork, PRIMARY, statementOwner } from '../db/fork-context';
import type { Orm } from '../db/orm';
import type { Replicas } from '../db/replicas';
import { clearPendingEvents, flushPendingEvents } from '../db/pending-events';
import { setTransactionSettings } from '../db/sql';
import { countStatement, endTally, startTally, StatementTally, type TallyOptions } from '../db/statement-tally';
import { guardVersions, lockTouched } from '../db/versioning';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { GraphQLContext } from './context';
import { flushError, retryLaterFor } from './errors';
import { Loaders } from './loaders';

/** The diagnostics of operations (development and tests by default): see src/graphql/diagnostics.ts. */
export interface Diagnostics {
  readonly enabled: boolean;
  /** An operation sending one statement shape more often than this is reported (an N+1 a loader missed). */
  readonly repeatedStatements: number;
}

/** Reports each statement shape that one field of the operation sent more than `limit` times (once per parent: an N+1). */
function reportRepeatedStatements(metrics: Metrics, logger: Logger, tally: StatementTally, operation: string | null, limit: number): void {
  for (const { count, origin, statement } of tally.shapes?.values() ?? []) {
    if (count > limit) reportDiagnostic(metrics, logger, 'repeated_statement', { reqId: tally.reqId, operation, origin, count, limit, statement });
  }
}

/** How an operation's unit of work ended: committed, discarded, or refused by the database at a flush or the commit. */
export type UnitOfWorkOutcome = 'flushed' | 'cleared' | 'failed';

/** The one log line of each GraphQL operation (info). Never holds credentials: the caller is named by kind and id. */
function logOperation(
  logger: Logger,
  line: {
    reqId: string;
    operation: { name: string | null; type: string | null };
    durationMs: number;
    statements: number;
    /** With replicas: how many of them went to each server. */
    servers?: Record<string, number>;
    unitOfWork: UnitOfWorkOutcome;
    errors: unknown[];
    /** The ids of its internal errors, each logged on an `internal error` line of its own. */
    errorIds?: unknown[];
    caller: string;
  },
): void {
  logger.info(line, 'graphql operation');
}

/** How many of an operation's statements went to the primary, and to each replica. */
function statementsByServer(tally: StatementTally): Record<string, number> {
  const servers: Record<string, number> = {};
  let onReplicas = 0;
  for (const [server, count] of tally.onReplicas ?? []) {
    servers[server] = count;
    onReplicas += count;
  }
  return { [PRIMARY]: tally.statements - onReplicas, ...servers };
}

/** Who a caller's writes are recorded for (read-your-writes): a user, with the API keys that act for them; nobody when anonymous. */
function writerOf(caller: Caller): string | undefined {
  return caller.kind === 'anonymous' ? undefined : caller.userId;
}

/** Stands in for a Mutation field that followed a failed one; it is left out of the response. */
class FieldNotRun extends GraphQLError {
  constructor() {
    super('Not run: an earlier field of this mutation failed');
  }
}

/**
 * One unit of work per GraphQL operation: a fork of the EntityManager (FlushMode.COMMIT, so nothing
 * reaches the database unless the plugin says so) with its own DataLoaders.
 *
 * A query holds no connection (each statement borrows one) and is cleared at the end: it never writes.
 * A mutation runs in one transaction, begun once its first field has resolved, so that a connection is
 * held only from the first write on. Each field's changes are flushed into it before the field's payload
 * resolves, and the loaders start afresh, so every read of the payload sees what the mutation did. When
 * the operation ends without errors the transaction commits; otherwise it rolls back, and the mutation
 * answers `data: null`: all of its fields took effect, or none did. A failed flush or commit is that error.
 */
export function createUnitOfWorkPlugin(
  orm: Orm,
  metrics: Metrics,
  logger: Logger,
  options: { dataloaders: boolean; operationTimeoutMs: number; slowStatementMs: number; diagnostics: Diagnostics; replicas?: Replicas },
): ApolloServerPlugin<GraphQLContext> {
  // Every flush of a unit of work (below) is checked: no versioned row updated without touch and lockTouched.
  guardVersions(orm.em);
  const onBatch = (loader: string, size: number) => metrics.batchSizes.observe({ loader }, size);
  const { replicas } = options;
  const tallyOptions: TallyOptions = {
    diagnostics: options.diagnostics.enabled,
    slowMs: options.slowStatementMs,
    // By shape only, never values.
    onSlow: (reqId, statement, ms) => logger.warn({ reqId, durationMs: Math.round(ms), statement }, 'slow SQL statement'),
    onLate: (reqId, statement, origin) => reportDiagnostic(metrics, logger, 'statement_after_operation', { reqId, origin, statement }),
  };
  const loaderOptions = { batch: options.dataloaders, onBatch };
  const loadersOf = (operation: GraphQLContext) => new Loaders(operation, operation.caller, loaderOptions);
  const forkOptions = { clear: true, useContext: false, flushMode: FlushMode.COMMIT };
  // What every operation's statements go through until it makes its fork (see OperationFork).
  const outside = orm.em.fork(forkOptions);
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      // Per operation, on the operation's own (shallow-cloned) context: batched operations run concurrently.
      // The fork is made on first use: a query that only reads records makes none.
      const operationFork = new OperationFork(orm.em, forkOptions, outside);
      contextValue.operation = operationFork;
      Object.defineProperty(contextValue, 'em', { get: () => operationFork.em, enumerable: true, configurable: true });
      const tally = new StatementTally(contextValue.requestId, tallyOptions);
      contextValue.statements = tally;
      startTally(operationFork.id, tally);
      startDeadline(operationFork.id, options.operationTimeoutMs);
      contextValue.loaders = loadersOf(contextValue);
      let fieldFailed = false;
      const flushField = async () => {
        const { em } = operationFork;
        try {
          checkDeadline(operationFork.id);
          // The operation's number in the log context: the BEGIN counts among its statements.
          if (!em.isInTransaction()) {
            await em.begin({ loggerContext: { id: operationFork.id } });
            await setTransactionSettings(contextValue);
          }
          await lockTouched(em);
          await em.flush();
          await flushPendingEvents(em);
        } catch (error) {
          metrics.flushFailures.inc();
          outcome = 'failed';
          throw error;
        }
        // Cached rows may predate this field's writes.
        contextValue.loaders = loadersOf(contextValue);
      };
      contextValue.unitOfWork = {
        async mutationField(resolve) {
          if (fieldFailed) throw new FieldNotRun();
          try {
            const payload = await resolve();
            await flushField();
            return payload;
          } catch (error) {
            fieldFailed = true;
            throw error;
          }
        },
      };
      metrics.liveForks.inc();
      metrics.operations.inc();
      let isMutation = false;
      let outcome: UnitOfWorkOutcome = 'cleared';

      return {
        async didResolveOperation({ operation }) {
          isMutation = operation?.operation === OperationTypeNode.MUTATION;
          // A query may read from a replica that has its caller's last writes; a mutation reads the primary.
          if (!isMutation && replicas) contextValue.replica = replicas.forQuery(writerOf(contextValue.caller));
        },

        // Runs on every path (parse and validation failures included) and is awaited.
        async willSendResponse({ response, errors, operation, operationName }) {
          let codes: string[] = [];
          let errorIds: unknown[] | undefined;
          try {
            if (response.body.kind !== 'single') return;
            const result = response.body.singleResult;
            result.errors = withoutFieldsNotRun(result.errors, errors);
            if (isMutation && !result.errors?.length) {
              try {
                // A mutation with nothing but `__typename` never began one.
                const em = operationFork.fork;
                if (em?.isInTransaction()) {
                  await counted(em, 'COMMIT', () => em.commit());
                  const writer = writerOf(contextValue.caller);
                  // Their next queries read what they have just written, wherever the replicas are.
                  if (replicas && writer !== undefined) await replicas.committed(em, writer);
                }
                metrics.flushed.inc();
                outcome = 'flushed';
              } catch (error) {
                metrics.flushFailures.inc();
                outcome = 'failed';
                result.data = null;
                result.errors = [flushError(error, logger)];
              }
            } else {
              metrics.discarded.inc();
              // A mutation is atomic: when any of its fields failed, none of them took effect.
              if (isMutation) result.data = null;
            }
            const retry = retryLaterFor(result.errors);
            if (retry) {
              response.http.status = retry.status;
              response.http.headers.set('retry-after', String(retry.retryAfterSeconds));
            }
            codes = result.errors?.map((error) => (typeof error.extensions?.code === 'string' ? error.extensions.code : 'INTERNAL_SERVER_ERROR')) ?? [];
            errorIds = result.errors?.flatMap((error) => (error.extensions?.errorId === undefined ? [] : [error.extensions.errorId]));
          } finally {
            const em = operationFork.fork;
            if (em) {
              await rollbackIfOpen(em, logger);
              clearPendingEvents(em);
              em.clear();
            }
            metrics.liveForks.dec();
            // After the ROLLBACK, so that it counts; the operation's statements are all in.
            endTally(operationFork.id);
            endDeadline(operationFork.id);
            const seconds = (performance.now() - started) / 1000;
            const type = operation?.operation ?? null;
            // A name gets a label of its own only from a signed-in caller's operation that succeeded: made-up names cannot fill the labels.
            const named = codes.length === 0 && contextValue.caller.kind !== 'anonymous';
            const label = named ? metrics.operationLabel(operationName ?? null) : operationName ? 'other' : 'anonymous';
            metrics.operationSeconds.observe({ operation: label, type: type ?? 'none' }, seconds);
            for (const code of codes) metrics.errors.inc({ code });
            logOperation(logger, {
              reqId: contextValue.requestId,
              operation: { name: operationName ?? null, type },
              durationMs: Math.round(seconds * 10_000) / 10,
              statements: tally.statements,
              ...(replicas && { servers: statementsByServer(tally) }),
              unitOfWork: outcome,
              errors: codes,
              ...(errorIds?.length && { errorIds }),
              caller: callerName(contextValue.caller) ?? 'anonymous',
            });
            reportRepeatedStatements(metrics, logger, tally, operationName ?? null, options.diagnostics.repeatedStatements);
          }
        },
      };
    },
  };
}

/** Resolvers of Mutation fields, each flushing its changes into the operation's transaction before its payload resolves. */
export function flushingEachField<Resolver extends GraphQLFieldResolver<unknown, GraphQLContext>>(
  fields: Record<string, Resolver>,
): Record<string, GraphQLFieldResolver<unknown, GraphQLContext>> {
  return Object.fromEntries(
    Object.entries(fields).map(([name, resolve]) => [
      name,
      (parent: unknown, args: unknown, ctx: GraphQLContext, info: Parameters<Resolver>[3]) =>
        ctx.unitOfWork.mutationField(async (): Promise<unknown> => resolve(parent, args, ctx, info)),
    ]),
  );
}

/** Runs `end` (a COMMIT or ROLLBACK, which MikroORM reports with no fork id) and counts it among the fork's statements. */
async function counted(em: EntityManager, sql: string, end: () => Promise<void>): Promise<void> {
  const sent = performance.now();
  try {
    await end();
  } finally {
    countStatement(statementOwner(em), sql, performance.now() - sent);
  }
}

/** Ends a transaction the operation left open (it failed, or its commit did); the connection goes back to the pool. */
async function rollbackIfOpen(em: EntityManager, logger: Logger): Promise<void> {
  if (!em.isInTransaction()) return;
  try {
    await counted(em, 'ROLLBACK', () => em.rollback());
  } catch (error) {
    // The connection is released by knex either way; nothing of the transaction was committed.
    logger.warn({ err: error }, 'rollback failed');
  }
}

/** The response's errors without those of fields that were not run (Apollo formats errors one for one, in order). */
function withoutFieldsNotRun(
  formatted: readonly GraphQLFormattedError[] | undefined,
  raw: readonly GraphQLError[] | undefined,
): GraphQLFormattedError[] | undefined {
  if (!formatted || !raw) return formatted && [...formatted];
  const kept = formatted.filter((_, i) => !(raw[i] && unwrapResolverError(raw[i]) instanceof FieldNotRun));
  return kept.length > 0 ? kept : undefined;
}
