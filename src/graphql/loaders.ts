import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventRecord, NodeRecord, RecommendationRecord, UserRecord } from '../entities';
import { consumptionByNode, type ConsumptionBucket, type Granularity } from '../services/consumption.reads';
import {
  eventCountsByNode,
  eventPagesByNode,
  eventRecordsByIds,
  latestEventsByNode,
  type EventWindowArgs,
} from '../services/event.reads';
import { nodeCountsByOwner, nodePagesByOwner, nodeRecordsByIds, type OwnerNodesArgs } from '../services/node.reads';
import { recommendationRecordsByIds } from '../services/recommendation.reads';
import { userRecordsByIds } from '../services/user.reads';

/** Every DataLoader of one operation. Made per operation, next to its fork, and dropped with it. */
export type Loaders = ReturnType<typeof createLoaders>;

/**
 * The loaders of one operation. They read records (plain rows) through its fork, so inside a
 * mutation's transaction they see what the mutation has flushed. `batch: false` sends one statement
 * per key: only to measure the N+1 that batching removes.
 */
export function createLoaders(em: EntityManager, { batch }: { batch: boolean }) {
  const ctx = { em };
  const byId = <Value>(fetch: (ids: readonly string[]) => Promise<Array<Value | null>>) =>
    new DataLoader<string, Value | null>(fetch, { batch });
  const byParent = <Value>(fetch: (parentIds: readonly string[]) => Promise<Map<string, Value>>, missing: Value) =>
    perParent(fetch, missing, batch);
  const byParentAndArgs = <Args, Value>(
    fetch: (parentIds: readonly string[], args: Args) => Promise<Map<string, Value>>,
    missing: Value,
  ) => perArgs((args: Args) => perParent((ids) => fetch(ids, args), missing, batch));
  return {
    userById: byId<UserRecord>((ids) => userRecordsByIds(ctx, ids)),
    nodeById: byId<NodeRecord>((ids) => nodeRecordsByIds(ctx, ids)),
    eventById: byId<EventRecord>((ids) => eventRecordsByIds(ctx, ids)),
    recommendationById: byId<RecommendationRecord>((ids) => recommendationRecordsByIds(ctx, ids)),
    latestEventByNode: byParent<EventRecord | null>((ids) => latestEventsByNode(ctx, ids), null),
    eventsByNode: byParentAndArgs<EventWindowArgs, EventRecord[]>((ids, args) => eventPagesByNode(ctx, ids, args), []),
    eventCountByNode: byParentAndArgs<Pick<EventWindowArgs, 'from' | 'to'>, number>((ids, w) => eventCountsByNode(ctx, ids, w), 0),
    nodesByOwner: byParentAndArgs<OwnerNodesArgs, NodeRecord[]>((ids, args) => nodePagesByOwner(ctx, ids, args), []),
    nodeCountByOwner: byParent<number>((ids) => nodeCountsByOwner(ctx, ids), 0),
    consumptionByNode: byParentAndArgs<{ granularity: Granularity; periods: number }, ConsumptionBucket[]>(
      (ids, args) => consumptionByNode(ctx, ids, args.granularity, args.periods),
      [],
    ),
  };
}

/** Lets later lookups by id of the rows of a page come from the page itself, with no statement of their own. */
export function primed<R extends { readonly id: string }, C extends { page: R[] }>(loader: DataLoader<string, R | null>, connection: C): C {
  for (const row of connection.page) loader.prime(row.id, row);
  return connection;
}

/** A loader of one value per parent id (`missing` for a parent the batch has nothing for). */
function perParent<Value>(
  fetch: (parentIds: readonly string[]) => Promise<Map<string, Value>>,
  missing: Value,
  batch: boolean,
): DataLoader<string, Value> {
  return new DataLoader<string, Value>(
    async (parentIds) => {
      const values = await fetch(parentIds);
      return parentIds.map((id) => values.get(id) ?? missing);
    },
    { batch },
  );
}

/**
 * Loaders of values per parent that depend on arguments (a node's last 10 events, a time window):
 * one loader per distinct set of arguments, so the parents that share them are fetched in one
 * statement. How many there are depends on the query, not on the rows.
 */
function perArgs<Args, Loader>(make: (args: Args) => Loader): (args: Args) => Loader {
  const loaders = new Map<string, Loader>();
  return (args) => {
    const key = JSON.stringify(args);
    let loader = loaders.get(key);
    if (!loader) {
      loader = make(args);
      loaders.set(key, loader);
    }
    return loader;
  };
}
