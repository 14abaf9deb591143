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

/**
 * The loaders of one operation, for its caller. They read records (plain rows) through its fork, so
 * inside a mutation's transaction they see what the mutation has flushed. Every read keeps to what
 * the caller may see, in its own SQL (src/auth/access.ts): a record, or a child list of a parent,
 * that is not theirs is missing. `batch: false` sends one statement per key: only to measure the N+1
 * that batching removes.
 *
 * Each loader is made on its first use: an operation pays for the loaders its fields use, not for all
 * of them (a point lookup uses two of a dozen; the rest, made for every operation, were most of the
 * garbage an operation left: docs/PERFORMANCE.md).
 */
export class Loaders {
  /** What the loaders read through. A query's replica is given once its operation is known to be one, after its loaders are made. */
  private readonly ctx: ForkContext & { readonly caller: Caller };
  private readonly batch: boolean;
  private readonly onBatch: (loader: string, size: number) => void;
  private users?: RecordsById<UserRecord>;
  private devices?: RecordsById<DeviceRecord>;
  private events?: RecordsById<EventRecord>;
  private recommendations?: RecordsById<RecommendationRecord>;
  private deviceCounts?: DataLoader<string, number>;
  private newestEvents?: DataLoader<{ deviceId: string; count: number }, EventRecord[], string>;
  /** The loaders of {@link byParentAndArgs}, by loader and arguments. */
  private perArgs?: Map<string, unknown>;
  /** What Relay's `node` reads with: the type of each id, then that type's lookup by id. */
  private forNodes?: { typeById: DataLoader<string, NodeType | null>; byType: Record<NodeType, RecordsById<NodeRecord>> };

  constructor(fork: ForkContext, caller: Caller, { batch, onBatch = () => {} }: { batch: boolean; onBatch?: (loader: string, size: number) => void }) {
    // Without batching, nothing is shared either: one statement per key (src/db/point-lookups.ts).
    // Read through `fork` when used, not now: an operation's fork is made on first use (db/fork-context.ts).
    this.ctx = {
      get em() {
        return fork.em;
      },
      operation: fork.operation,
      caller,
      alone: !batch,
      get replica() {
        return fork.replica;
      },
    };
    this.batch = batch;
    this.onBatch = onBatch;
  }

  get userById(): RecordsById<UserRecord> {
    return (this.users ??= this.byId('userById', (ids) => userRecordsByIds(this.ctx, ids)));
  }

  get deviceById(): RecordsById<DeviceRecord> {
    return (this.devices ??= this.byId('deviceById', async (ids) => {
      const { devices, owners } = await deviceRecordsByIds(this.ctx, ids);
      this.userById.prime(owners);
      return devices;
    }));
  }

  get eventById(): RecordsById<EventRecord> {
    return (this.events ??= this.byId('eventById', (ids) => eventRecordsByIds(this.ctx, ids)));
  }

  get recommendationById(): RecordsById<RecommendationRecord> {
    return (this.recommendations ??= this.byId('recommendationById', (ids) => recommendationRecordsByIds(this.ctx, ids)));
  }

  get deviceCountByOwner(): DataLoader<string, number> {
    return (this.deviceCounts ??= perParent(this.counted('deviceCountByOwner', (ids: readonly string[]) => deviceCountsByOwner(this.ctx, ids)), 0, this.batch));
  }

  /**
   * Any object by id, whatever its type (Relay's `node`): its type in one statement for the batch,
   * then its record from that type's own lookup, with that type's visibility (null when not the
   * caller's to see).
   */
  async nodeById(id: string): Promise<{ type: NodeType; record: NodeRecord } | null> {
    const { typeById, byType } = (this.forNodes ??= {
      typeById: new DataLoader(this.counted('nodeTypeById', (ids: readonly string[]) => nodeTypesByIds(this.ctx, ids)), { batch: this.batch }),
      byType: {
        User: this.userById,
        Device: this.deviceById,
        Event: this.eventById,
        Recommendation: this.recommendationById,
        ApiKey: this.byId<ApiKeyRecord>('apiKeyById', (ids) => apiKeyRecordsByIds(this.ctx, ids)),
      },
    });
    const type = await typeById.load(id);
    const record = type && (await byType[type].get(id));
    return type && record ? { type, record } : null;
  }

  /** A device's newest event, from the same statement as the first pages of its `events`. */
  async latestEventByDevice(deviceId: string): Promise<EventRecord | null> {
    return (await this.newestEventsOf({ deviceId, count: 1 }))[0] ?? null;
  }

  /**
   * A page of a device's events in the window of `args`. The first page with no window (a
   * dashboard's "last N readings") is read together with `latestEvent`.
   */
  async eventsByDevice(deviceId: string, args: EventWindowArgs): Promise<ReadPage<EventRecord>> {
    if (args.page.cursor === null && !args.page.backward && args.from === null && args.to === null) {
      return { rows: await this.newestEventsOf({ deviceId, count: args.page.size + 1 }), beyond: false };
    }
    return this.byParentAndArgs('eventPagesByDevice', args, (ids) => eventPagesByDevice(this.ctx, ids, args), EMPTY_PAGE).load(deviceId);
  }

  eventCountByDevice(window: Pick<EventWindowArgs, 'from' | 'to'>): DataLoader<string, number> {
    return this.byParentAndArgs('eventCountByDevice', window, (ids) => eventCountsByDevice(this.ctx, ids, window), 0);
  }

  devicesByOwner(request: PageRequest): DataLoader<string, ReadPage<DeviceRecord>> {
    return this.byParentAndArgs('devicesByOwner', request, (ids) => devicePagesByOwner(this.ctx, ids, request), EMPTY_PAGE);
  }

  consumptionByDevice(series: ConsumptionSeries): DataLoader<string, ConsumptionBucket[]> {
    return this.byParentAndArgs('consumptionByDevice', series, (ids) => consumptionByDevice(this.ctx, ids, series), []);
  }

  private newestEventsOf(key: { deviceId: string; count: number }): Promise<EventRecord[]> {
    this.newestEvents ??= newestEventsLoader(
      this.counted('newestEventsByDevice', (ids: readonly string[], count: number) => newestEventsByDevice(this.ctx, ids, count)),
      this.batch,
    );
    return this.newestEvents.load(key);
  }

  /** `fetch`, reporting each batch's size under `loader` (the metrics' batch sizes). */
  private counted<Keys extends readonly unknown[], Rest extends unknown[], Result>(loader: string, fetch: (keys: Keys, ...rest: Rest) => Result) {
    return (keys: Keys, ...rest: Rest): Result => {
      this.onBatch(loader, keys.length);
      return fetch(keys, ...rest);
    };
  }

  private byId<R extends { readonly id: string }>(loader: string, fetch: (ids: readonly string[]) => Promise<Array<R | null>>): RecordsById<R> {
    return new RecordsById<R>(this.counted(loader, fetch), { batch: this.batch });
  }

  /**
   * The loader of `loader`'s values per parent for `args` (a device's last 10 events, a time window):
   * one loader per distinct set of arguments, so the parents that share them are fetched in one
   * statement. How many there are depends on the query, not on the rows.
   */
  private byParentAndArgs<Value>(loader: string, args: unknown, fetch: (parentIds: readonly string[]) => Promise<Map<string, Value>>, missing: Value): DataLoader<string, Value> {
    const key = `${loader} ${JSON.stringify(args)}`;
    this.perArgs ??= new Map();
    let made = this.perArgs.get(key) as DataLoader<string, Value> | undefined;
    if (!made) {
      made = perParent(this.counted(loader, fetch), missing, this.batch);
      this.perArgs.set(key, made);
    }
    return made;
  }
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
