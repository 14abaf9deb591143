import { defineEntity, OptionalProps, type Ref } from '@mikro-orm/core';
import { newId } from './ids';
import { type Device, DeviceSchema } from './device.entity';
import type { EventRecord } from './records';

/** One water-consumption reading of a device. */
export class Event implements EventRecord {
  [OptionalProps]?: 'recordedAt';

  id: string = newId();
  device!: Ref<Device>;
  occurredAt!: Date;
  /** Exact decimal as a string (e.g. "12.50"); never a float. */
  consumption!: string;
  /** Unit of the reading, e.g. `L/min`. */
  unit!: string;
  recordedAt: Date = new Date();
}

export const EventSchema = defineEntity({
  class: Event,
  tableName: 'events',
  checks: [{ name: 'events_consumption_non_negative_check', expression: 'consumption >= 0' }],
  indexes: [
    {
      name: 'events_device_id_occurred_at_id_index',
      expression: 'create index "events_device_id_occurred_at_id_index" on "events" ("device_id", "occurred_at" desc, "id" desc)',
    },
    {
      // The `events` list across all devices: newest first, keyset on (occurredAt, id).
      name: 'events_occurred_at_id_index',
      expression: 'create index "events_occurred_at_id_index" on "events" ("occurred_at" desc, "id" desc)',
    },
  ],
  properties: (p) => ({
    id: p.uuid().primary(),
    // The composite index above also serves the foreign key, so no separate device_id index.
    device: p.manyToOne(DeviceSchema).ref().deleteRule('cascade'),
    occurredAt: p.datetime().columnType('timestamptz'),
    consumption: p.decimal('string').precision(10).scale(2),
    unit: p.string().length(10),
    recordedAt: p.datetime().columnType('timestamptz').defaultRaw('now()'),
  }),
});
