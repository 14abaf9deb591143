import DataLoader from 'dataloader';
import type { ForkContext } from '../db/fork-context';
import type { Caller } from '../auth/caller';
import type { ApiKeyRecord, DeviceRecord, EventRecord, NodeRecord, RecommendationRecord, UserRecord } from '../entities';
import { apiKeyRecordsByIds } from '../services/api-key.reads';
import { consumptionByDevice, type ConsumptionBucket, type ConsumptionSeries } from '../services/consumption.reads';
import {
  eventCountsByDevice,
  eventPagesByDevice,
  eventRecordsByIds,
  newestEventsByDevice,
  type EventWindowArgs,
} from '../services/event.reads';
import { deviceCountsByOwner, devicePagesByOwner, deviceRecordsByIds, type DevicePage } from '../services/device.reads';
import { nodeTypesByIds, type NodeType } from '../services/node.reads';
import { recommendationRecordsByIds } from '../services/recommendation.reads';
import { userRecordsByIds } from '../services/user.reads';
import type { PageRequest, ReadPage } from '../db/pagination';
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
  fork: ForkContext,
  caller: Caller,
  { batch, onBatch = () => {} }: { batch: boolean; onBatch?: (loader: string, size: number) => void },
) {
  // Without batching, nothing is shared either: one statement per key (src/db/point-lookups.ts).
  // A query's replica is given once its operation is known to be one, after its loaders are made.
  const ctx = {
    em: fork.em,
    caller,
    alone: !batch,
    get replica() {
      return fork.replica;
    },
  };
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
  const newestEvents = newestEventsLoader(counted('newestEventsByDevice', (ids: readonly string[], count: number) => newestEventsByDevice(ctx, ids, count)), batch);
  const eventPages = byParentAndArgs<EventWindowArgs, ReadPage<EventRecord>>('eventPagesByDevice', (ids, args) => eventPagesByDevice(ctx, ids, args), EMPTY_PAGE);
  const deviceById = byId<DeviceRecord>('deviceById', async (ids) => {
    const { devices, owners } = await deviceRecordsByIds(ctx, ids);
    userById.prime(owners);
    return devices;
  });
  const eventById = byId<EventRecord>('eventById', (ids) => eventRecordsByIds(ctx, ids));
  const recommendationById = byId<RecommendationRecord>('recommendationById', (ids) => recommendationRecordsByIds(ctx, ids));
  /**
   * What Relay's `node` reads with: the type of each id, then that type's lookup by id. Made on first
   * use, as few operations ask for `node`: every operation making them cost S1 (a point lookup).
   */
  let forNodes: { typeById: DataLoader<string, NodeType | null>; byType: Record<NodeType, RecordsById<NodeRecord>> } | undefined;
  const nodeLoaders = () =>
    (forNodes ??= {
      typeById: new DataLoader(counted('nodeTypeById', (ids: readonly string[]) => nodeTypesByIds(ctx, ids)), { batch }),
      byType: {
        User: userById,
        Device: deviceById,
        Event: eventById,
        Recommendation: recommendationById,
        ApiKey: byId<ApiKeyRecord>('apiKeyById', (ids) => apiKeyRecordsByIds(ctx, ids)),
      },
    });
  return {
    userById,
    deviceById,
    eventById,
    recommendationById,
    /**
     * Any object by id, whatever its type (Relay's `node`): its type in one statement for the batch,
     * then its record from that type's own lookup, with that type's visibility (null when not the
     * caller's to see).
     */
    nodeById: async (id: string): Promise<{ type: NodeType; record: NodeRecord } | null> => {
      const { typeById, byType } = nodeLoaders();
      const type = await typeById.load(id);
      const record = type && (await byType[type].get(id));
      return type && record ? { type, record } : null;
    },
    /** A device's newest event, from the same statement as the first pages of its `events`. */
    latestEventByDevice: async (deviceId: string): Promise<EventRecord | null> => (await newestEvents.load({ deviceId, count: 1 }))[0] ?? null,
    /**
     * A page of a device's events in the window of `args`. The first page with no window (a
     * dashboard's "last N readings") is read together with `latestEvent`.
     */
    eventsByDevice: async (deviceId: string, args: EventWindowArgs): Promise<ReadPage<EventRecord>> =>
      args.page.cursor === null && !args.page.backward && args.from === null && args.to === null
        ? { rows: await newestEvents.load({ deviceId, count: args.page.size + 1 }), beyond: false }
        : eventPages(args).load(deviceId),
    eventCountByDevice: byParentAndArgs<Pick<EventWindowArgs, 'from' | 'to'>, number>('eventCountByDevice', (ids, w) => eventCountsByDevice(ctx, ids, w), 0),
    devicesByOwner: byParentAndArgs<PageRequest, ReadPage<DeviceRecord>>('devicesByOwner', (ids, request) => devicePagesByOwner(ctx, ids, request), EMPTY_PAGE),
    deviceCountByOwner: byParent<number>('deviceCountByOwner', (ids) => deviceCountsByOwner(ctx, ids), 0),
    consumptionByDevice: byParentAndArgs<ConsumptionSeries, ConsumptionBucket[]>('consumptionByDevice', (ids, series) => consumptionByDevice(ctx, ids, series), []),
  };
}

/** The page of a parent that has no children (or none the caller may see). */
const EMPTY_PAGE: ReadPage<never> = Object.freeze({ rows: [], beyond: false });

/** The rows of a page as lookups by id see them: `connection` with its rows primed into `records`. */
export function primedPage<R extends { readonly id: string }, C extends { page: R[] }>(records: RecordsById<R>, connection: C): C {
  records.prime(connection.page);
  return connection;
}

/** A page of devices as lookups by id of its devices and of their owners see them. */
export function primedDevicePage(loaders: Loaders, page: DevicePage): DevicePage {
  loaders.userById.prime(page.owners);
  return primedPage(loaders.deviceById, page);
}

/**
 * The newest `count` events of a device, for any count: each batch reads, in one statement for all its
 * devices, as many events per device as its largest count, and gives each key its share.
 */
function newestEventsLoader(
  fetch: (deviceIds: readonly string[], count: number) => Promise<Map<string, EventRecord[]>>,
  batch: boolean,
): DataLoader<{ deviceId: string; count: number }, EventRecord[], string> {
  return new DataLoader(
    async (keys) => {
      let count = 0;
      const deviceIds = new Set<string>();
      for (const key of keys) {
        count = Math.max(count, key.count);
        deviceIds.add(key.deviceId);
      }
      const events = await fetch([...deviceIds], count);
      return keys.map(({ deviceId, count }) => events.get(deviceId)?.slice(0, count) ?? []);
    },
    { batch, cacheKeyFn: ({ deviceId, count }) => `${count} ${deviceId}` },
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
 * Loaders of values per parent that depend on arguments (a device's last 10 events, a time window):
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
