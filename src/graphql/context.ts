import type { EntityManager } from '@mikro-orm/postgresql';
import type { ServiceContext } from '../services/context';
import type { Loaders } from './loaders';

/**
 * What resolvers see. `em` and `loaders` belong to one operation: the unit-of-work plugin sets them at
 * `requestDidStart`, before any resolver runs (Apollo shares one context object, shallow-cloned, between
 * the operations of a batched HTTP request, so they cannot be made per request).
 */
export interface GraphQLContext extends ServiceContext {
  readonly requestId: string;
  em: EntityManager;
  loaders: Loaders;
}

/** The context of one HTTP request, before the unit-of-work plugin gives each operation its fork. */
export function createRequestContext(requestId: string): GraphQLContext {
  // The plugin assigns `em` and `loaders`; a resolver that ran without them would be a bug to fail loudly on.
  return { requestId } as GraphQLContext;
}
