import type { ApolloServerPlugin } from '@apollo/server';
import { FlushMode } from '@mikro-orm/core';
import { OperationTypeNode } from 'graphql';
import type { Orm } from '../db/orm';
import type { Logger } from '../logger';
import type { GraphQLContext } from './context';
import { flushError, httpStatusFor, RETRY_AFTER_SECONDS } from './errors';
import { createLoaders } from './loaders';

/** Counters of the unit-of-work plugin, read by /metrics and by the tests. */
export class UnitOfWorkStats {
  /** Forks made and not yet completed: 0 whenever no operation is running. */
  liveForks = 0;
  operations = 0;
  flushed = 0;
  discarded = 0;
  flushFailures = 0;
}

/**
 * One unit of work per GraphQL operation: a fork of the EntityManager (FlushMode.COMMIT, so nothing
 * reaches the database early) with its own DataLoaders. When the operation completes, a mutation that
 * finished without errors is flushed in one transaction; anything else is cleared. A failed flush
 * turns the response into that error with `data: null`.
 */
export function createUnitOfWorkPlugin(
  orm: Orm,
  stats: UnitOfWorkStats,
  logger: Logger,
  options: { dataloaders: boolean },
): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart({ contextValue }) {
      // Per operation, on the operation's own (shallow-cloned) context: batched operations run concurrently.
      const em = orm.em.fork({ clear: true, useContext: false, flushMode: FlushMode.COMMIT });
      contextValue.em = em;
      contextValue.loaders = createLoaders(em, { batch: options.dataloaders });
      stats.liveForks++;
      stats.operations++;
      let isMutation = false;

      return {
        async didResolveOperation({ operation }) {
          isMutation = operation?.operation === OperationTypeNode.MUTATION;
        },

        // Runs on every path (parse and validation failures included) and is awaited.
        async willSendResponse({ response }) {
          try {
            if (response.body.kind !== 'single') return;
            const result = response.body.singleResult;
            if (isMutation && !result.errors?.length) {
              try {
                await em.flush();
                stats.flushed++;
              } catch (error) {
                stats.flushFailures++;
                result.data = null;
                result.errors = [flushError(error, logger)];
              }
            } else {
              stats.discarded++;
              // A mutation is atomic: when any of its fields failed, none of them took effect.
              if (isMutation) result.data = null;
            }
            const status = httpStatusFor(result.errors);
            if (status) {
              response.http.status = status;
              response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
            }
          } finally {
            em.clear();
            stats.liveForks--;
          }
        },
      };
    },
  };
}
