import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Event, Node, Recommendation, User } from '../entities';
import { consumptionByNode, type ConsumptionBucket, type Granularity } from '../services/consumption.service';
import {
  eventCountsByNode,
  eventPagesByNode,
  eventsByIds,
  latestEventsByNode,
  type EventWindowArgs,
} from '../services/event.service';
import { recommendationsByIds } from '../services/recommendation.service';
import { nodeCountsByOwner, nodePagesByOwner, nodesByIds, type OwnerNodesArgs } from '../services/node.service';
import { usersByIds } from '../services/user.service';

/** Every DataLoader of one operation. Made per operation, next to its fork, and dropped with it. */
export type Loaders = ReturnType<typeof createLoaders>;

/** The loaders of one operation, all reading through its fork (so rows join its identity map). */
export function createLoaders(em: EntityManager, { batch }: { batch: boolean }) {
  const ctx = { em };
  const byId = <Value>(fetch: (ids: readonly string[]) => Promise<Array<Value | null>>) =>
    new DataLoader<string, Value | null>(fetch, { batch });
  const byParent = <Args, Value>(fetch: (parentIds: string[], args: Args) => Promise<Map<string, Value>>, missing: Value) =>
    byParentAndArgs(fetch, missing, batch);
  return {
    userById: byId<User>((ids) => usersByIds(ctx, ids)),
    nodeById: byId<Node>((ids) => nodesByIds(ctx, ids)),
    eventById: byId<Event>((ids) => eventsByIds(ctx, ids)),
    recommendationById: byId<Recommendation>((ids) => recommendationsByIds(ctx, ids)),
    latestEventByNode: byParent<void, Event | null>(async (ids) => latestEventsByNode(ctx, ids), null),
    eventsByNode: byParent<EventWindowArgs, Event[]>((ids, args) => eventPagesByNode(ctx, ids, args), []),
    eventCountByNode: byParent<Pick<EventWindowArgs, 'from' | 'to'>, number>((ids, w) => eventCountsByNode(ctx, ids, w), 0),
    nodesByOwner: byParent<OwnerNodesArgs, Node[]>((ids, args) => nodePagesByOwner(ctx, ids, args), []),
    nodeCountByOwner: byParent<void, number>((ids) => nodeCountsByOwner(ctx, ids), 0),
    consumptionByNode: byParent<{ granularity: Granularity; periods: number }, ConsumptionBucket[]>(
      (ids, args) => consumptionByNode(ctx, ids, args.granularity, args.periods),
      [],
    ),
  };
}

/** A key of a child-list loader: the parent and the list's arguments. */
export interface ParentKey<Args> {
  readonly parentId: string;
  readonly args: Args;
}

/**
 * A loader for values per parent that depend on arguments (a node's last 10 events, a time window).
 * Keys that share arguments are fetched together, in one statement for all their parents; the cache is
 * keyed by parent and arguments.
 */
function byParentAndArgs<Args, Value>(
  fetch: (parentIds: string[], args: Args) => Promise<Map<string, Value>>,
  missing: Value,
  batch: boolean,
): DataLoader<ParentKey<Args>, Value, string> {
  return new DataLoader<ParentKey<Args>, Value, string>(
    async (keys) => {
      const groups = new Map<string, { args: Args; parentIds: string[] }>();
      for (const key of keys) {
        const argsKey = JSON.stringify(key.args ?? null);
        const group = groups.get(argsKey) ?? { args: key.args, parentIds: [] };
        group.parentIds.push(key.parentId);
        groups.set(argsKey, group);
      }
      const results = new Map<string, Map<string, Value>>();
      for (const [argsKey, group] of groups) {
        // One statement per distinct set of arguments: their number depends on the query, not on the rows.
        results.set(argsKey, await fetch([...new Set(group.parentIds)], group.args));
      }
      return keys.map((key) => results.get(JSON.stringify(key.args ?? null))?.get(key.parentId) ?? missing);
    },
    { batch, cacheKeyFn: (key) => JSON.stringify([key.parentId, key.args ?? null]) },
  );
}
