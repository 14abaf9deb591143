import { defineEntity, type Ref } from '@mikro-orm/core';
import { type Device, DeviceSchema } from './device.entity';

/**
 * How many readings a device has, kept by the database itself: triggers on `events` add each
 * statement's inserted readings and subtract its deleted ones, in the writer's transaction, so the
 * count is exact whoever writes (the API, the seeder, a script). Split in 8 shards by the writing
 * connection (its backend's pid), so that concurrent ingest for one device does not queue on one row:
 * a device's count is the sum of its shards (Migration20261201140000 has the triggers). Never written by the API's code.
 */
export class DeviceEventCount {
  device!: Ref<Device>;
  shard!: number;
  count!: number;
}

export const DeviceEventCountSchema = defineEntity({
  class: DeviceEventCount,
  tableName: 'device_event_counts',
  properties: (p) => ({
    device: p.manyToOne(DeviceSchema).ref().primary().deleteRule('cascade'),
    shard: p.smallint().primary(),
    count: p.bigint('number').default(0),
  }),
});
