import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Caller } from '../auth/caller';
import type { EventRecord, NodeRecord, RecommendationRecord, UserRecord } from '../entities';
import { consumptionByNode, type ConsumptionBucket, type Granularity } from '../services/consumption.reads';
import {
  eventCountsByNode,
  eventPagesByNode,
  eventRecordsByIds,
  newestEventsByNode,
  type EventWindowArgs,
} from '../services/event.reads';
import { nodeCountsByOwner, nodePagesByOwner, nodeRecordsByIds, type NodePage, type OwnerNodesArgs } from '../services/node.reads';
import { recommendationRecordsByIds } from '../services/recommendation.reads';
import { userRecordsByIds } from '../services/user.reads';
import { RecordsById } from './records-by-id';

/** Every DataLoader of one operation. Made per operation, next to its fork, and dropped with it. */
export type Loaders = ReturnType<typeof createLoaders>;

/**
 * The loaders of one operation, for its caller. They read records (plain rows) through its fork, so
 * inside a mutation's transaction they see what the mutation has flushed. Every read keeps to what
 * the caller may see, in its own SQL (src/auth/access.ts): a record, or a child list of a parent,
 * that is not theirs is missing. `batch: false` sends one statement per key: only to measure the N+1
 * that batching removes.
 */
export function createLoaders(
  em: EntityManager,
  caller: Caller,
  { batch, onBatch = () => {} }: { batch: boolean; onBatch?: (loader: string, size: number) => void },
) {
  const ctx = { em, caller };
  /** `fetch`, reporting each batch's size under `loader` (the metrics' batch sizes). */
  const counted =
    <Keys extends readonly unknown[], Rest extends unknown[], Result>(loader: string, fetch: (keys: Keys, ...rest: Rest) => Result) =>
    (keys: Keys, ...rest: Rest): Result => {
      onBatch(loader, keys.length);
      return fetch(keys, ...rest);
    };
  const byId = <R extends { readonly id: string }>(loader: string, fetch: (ids: readonly string[]) => Promise<Array<R | null>>) =>
    new RecordsById<R>(counted(loader, fetch), { batch });
  const byParent = <Value>(loader: string, fetch: (parentIds: readonly string[]) => Promise<Map<string, Value>>, missing: Value) =>
    perParent(counted(loader, fetch), missing, batch);
  const byParentAndArgs = <Args, Value>(
    loader: string,
    fetch: (parentIds: readonly string[], args: Args) => Promise<Map<string, Value>>,
    missing: Value,
  ) => perArgs((args: Args) => perParent(counted(loader, (ids: readonly string[]) => fetch(ids, args)), missing, batch));
  const userById = byId<UserRecord>('userById', (ids) => userRecordsByIds(ctx, ids));
  const newestEvents = newestEventsLoader(counted('newestEventsByNode', (ids: readonly string[], count: number) => newestEventsByNode(ctx, ids, count)), batch);
  const eventPages = byParentAndArgs<EventWindowArgs, EventRecord[]>('eventPagesByNode', (ids, args) => eventPagesByNode(ctx, ids, args), []);
  return {
    userById,
    nodeById: byId<NodeRecord>('nodeById', async (ids) => {
      const { nodes, owners } = await nodeRecordsByIds(ctx, ids);
      userById.prime(owners);
      return nodes;
    }),
    eventById: byId<EventRecord>('eventById', (ids) => eventRecordsByIds(ctx, ids)),
    recommendationById: byId<RecommendationRecord>('recommendationById', (ids) => recommendationRecordsByIds(ctx, ids)),
    /** A node's newest event, from the same statement as the first pages of its `events`. */
    latestEventByNode: async (nodeId: string): Promise<EventRecord | null> => (await newestEvents.load({ nodeId, count: 1 }))[0] ?? null,
    /**
     * The first `args.first + 1` events of a node in the window of `args`. With no window and no cursor
     * (a dashboard's "last N readings"), read together with `latestEvent`.
     */
    eventsByNode: (nodeId: string, args: EventWindowArgs): Promise<EventRecord[]> =>
      args.after === null && args.from === null && args.to === null
        ? newestEvents.load({ nodeId, count: args.first + 1 })
        : eventPages(args).load(nodeId),
    eventCountByNode: byParentAndArgs<Pick<EventWindowArgs, 'from' | 'to'>, number>('eventCountByNode', (ids, w) => eventCountsByNode(ctx, ids, w), 0),
    nodesByOwner: byParentAndArgs<OwnerNodesArgs, NodeRecord[]>('nodesByOwner', (ids, args) => nodePagesByOwner(ctx, ids, args), []),
    nodeCountByOwner: byParent<number>('nodeCountByOwner', (ids) => nodeCountsByOwner(ctx, ids), 0),
    consumptionByNode: byParentAndArgs<{ granularity: Granularity; periods: number }, ConsumptionBucket[]>(
      'consumptionByNode',
      (ids, args) => consumptionByNode(ctx, ids, args.granularity, args.periods),
      [],
    ),
  };
}

/** The rows of a page as lookups by id see them: `connection` with its rows primed into `records`. */
export function primedPage<R extends { readonly id: string }, C extends { page: R[] }>(records: RecordsById<R>, connection: C): C {
  records.prime(connection.page);
  return connection;
}

/** A page of nodes as lookups by id of its nodes and of their owners see them. */
export function primedNodePage(loaders: Loaders, page: NodePage): NodePage {
  loaders.userById.prime(page.owners);
  return primedPage(loaders.nodeById, page);
}

/**
 * The newest `count` events of a node, for any count: each batch reads, in one statement for all its
 * nodes, as many events per node as its largest count, and gives each key its share.
 */
function newestEventsLoader(
  fetch: (nodeIds: readonly string[], count: number) => Promise<Map<string, EventRecord[]>>,
  batch: boolean,
): DataLoader<{ nodeId: string; count: number }, EventRecord[], string> {
  return new DataLoader(
    async (keys) => {
      let count = 0;
      const nodeIds = new Set<string>();
      for (const key of keys) {
        count = Math.max(count, key.count);
        nodeIds.add(key.nodeId);
      }
      const events = await fetch([...nodeIds], count);
      return keys.map(({ nodeId, count }) => events.get(nodeId)?.slice(0, count) ?? []);
    },
    { batch, cacheKeyFn: ({ nodeId, count }) => `${count} ${nodeId}` },
  );
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
