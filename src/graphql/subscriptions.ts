import { randomUUID } from 'node:crypto';
import { FlushMode } from '@mikro-orm/core';
import type { Caller } from '../auth/caller';
import { UNLIMITED } from '../auth/rate-limits';
import type { Tokens } from '../auth/tokens';
import type { Orm } from '../db/orm';
import type { GraphQLContext } from './context';
import type { EventFeed } from './event-feed';
import { createLoaders } from './loaders';

/**
 * The context of one subscription. Its fork and loaders serve the subscribe step (who the caller is,
 * which device); each delivered result then gets a read-only unit of work of its own (a new fork,
 * cleared, and new loaders: `nextUnitOfWork`), so no delivery sees another's cached rows.
 */
export function subscriptionContext(options: {
  orm: Orm;
  caller: Caller;
  tokens: Tokens;
  feed: EventFeed;
  dataloaders: boolean;
  /** Closes the subscriber's socket: it did not keep up. */
  tooSlow: () => void;
}): GraphQLContext {
  const { orm, caller, tokens, feed, dataloaders, tooSlow } = options;
  const context = { requestId: randomUUID(), caller, tokens, rateLimit: UNLIMITED } as GraphQLContext;
  const nextUnitOfWork = () => {
    context.em?.clear();
    context.em = orm.em.fork({ clear: true, useContext: false, flushMode: FlushMode.COMMIT });
    context.loaders = createLoaders(context.em, caller, { batch: dataloaders });
  };
  nextUnitOfWork();
  return Object.assign(context, { subscription: { feed, nextUnitOfWork, tooSlow } });
}
