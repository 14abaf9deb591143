import type { EntityManager } from '@mikro-orm/postgresql';
import type { Caller } from '../auth/caller';
import type { RequestRateLimit } from '../auth/rate-limits';
import type { Tokens } from '../auth/tokens';
import type { ForkContext, OperationFork, ReadReplica } from '../db/fork-context';
import type { StatementTally } from '../db/statement-tally';
import type { EventFeed, SubscriberSocket } from './event-feed';
import type { Loaders } from './loaders';

/**
 * What resolvers see. `em`, `loaders` and `unitOfWork` belong to one operation: the unit-of-work plugin sets them at
 * `requestDidStart`, before any resolver runs (Apollo shares one context object, shallow-cloned, between
 * the operations of a batched HTTP request, so they cannot be made per request).
 */
export interface GraphQLContext extends ForkContext {
  readonly requestId: string;
  /** Who sent the request, from its `Authorization` header. */
  readonly caller: Caller;
  /** What issues access tokens (`login`). */
  readonly tokens: Tokens;
  /** The request's rate limits: its caller's budget, its address's sign-in attempts. */
  readonly rateLimit: RequestRateLimit;
  em: EntityManager;
  /** An HTTP operation's fork, made on first use (the plugin sets `em` to make it when read). */
  operation?: OperationFork;
  /** A query's replica, given once the operation is known to be one (see db/replicas.ts). */
  replica?: ReadReplica;
  loaders: Loaders;
  /** The statements this operation has sent (its log line says how many). */
  statements: StatementTally;
  unitOfWork: UnitOfWork;
  /** Only in a subscription (over a WebSocket): the readings feed, and a fresh unit of work for each notification's readings. */
  readonly subscription?: SubscriptionScope;
}

/** What a subscription's resolvers use besides the context's fork and loaders. */
export interface SubscriptionScope {
  readonly feed: EventFeed;
  /**
   * Gives the context the read-only unit of work (fork and loaders) of `notification`'s readings: a new
   * one when the notification changes, so readings committed together share their lookups and no
   * delivery sees rows cached before its reading was committed.
   */
  unitOfWorkFor(notification: number): void;
  /** The socket the subscription runs on. */
  readonly socket: SubscriberSocket;
}

/** The context of one HTTP request, before the unit-of-work plugin gives each operation its fork. */
export function createRequestContext(requestId: string, caller: Caller, tokens: Tokens, rateLimit: RequestRateLimit): GraphQLContext {
  // The plugin assigns `em`, `loaders` and `unitOfWork`; a resolver that ran without them would be a bug to fail loudly on.
  return { requestId, caller, tokens, rateLimit } as GraphQLContext;
}

/** What the plugin gives each operation besides its fork and loaders. */
export interface UnitOfWork {
  /**
   * Runs one Mutation field: its resolver, then a flush of its changes into the operation's transaction
   * (begun at the first), before its payload resolves. Once a field has failed, later ones do nothing:
   * the mutation will roll back anyway, and after a failed statement PostgreSQL refuses the rest of the
   * transaction.
   */
  mutationField<T>(resolve: () => Promise<T>): Promise<T>;
}
