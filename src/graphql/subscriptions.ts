import { randomUUID } from 'node:crypto';
import { FlushMode } from '@mikro-orm/core';
import type { Caller } from '../auth/caller';
import { UNLIMITED } from '../auth/rate-limits';
import type { Tokens } from '../auth/tokens';
import type { Orm } from '../db/orm';
import type { GraphQLContext } from './context';
import type { EventFeed, SubscriberSocket } from './event-feed';
import { Loaders } from './loaders';

/**
 * The context of one subscription. Its fork and loaders serve the subscribe step (who the caller is,
 * which device); the readings of each notification then get a read-only unit of work of their own (a
 * new fork, cleared, and new loaders: `unitOfWorkFor`), so no delivery sees rows cached before its
 * reading was committed, and the readings committed together share their lookups.
 */
export function subscriptionContext(options: {
  orm: Orm;
  caller: Caller;
  tokens: Tokens;
  feed: EventFeed;
  dataloaders: boolean;
  socket: SubscriberSocket;
}): GraphQLContext {
  const { orm, caller, tokens, feed, dataloaders, socket } = options;
  const context = { requestId: randomUUID(), caller, tokens, rateLimit: UNLIMITED } as GraphQLContext;
  let current: number | undefined;
  const newUnitOfWork = () => {
    context.em?.clear();
    context.em = orm.em.fork({ clear: true, useContext: false, flushMode: FlushMode.COMMIT });
    context.loaders = new Loaders(context, caller, { batch: dataloaders });
  };
  const unitOfWorkFor = (notification: number) => {
    if (notification === current) return;
    current = notification;
    newUnitOfWork();
  };
  newUnitOfWork();
  return Object.assign(context, { subscription: { feed, unitOfWorkFor, socket } });
}
