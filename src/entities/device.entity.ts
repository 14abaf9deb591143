import { defineEntity, OptionalProps, type Ref } from '@mikro-orm/core';
import { newId } from './ids';
import { type User, UserSchema } from './user.entity';
import type { DeviceRecord } from './records';

/** An IoT device (valve, gate, relay, flow or level sensor) owned by a user. */
export class Device implements DeviceRecord {
  [OptionalProps]?: 'description' | 'active' | 'registeredAt' | 'updatedAt' | 'version';

  id: string = newId();
  owner!: Ref<User>;
  name!: string;
  description: string | null = null;
  active = true;
  registeredAt: Date = new Date();
  updatedAt: Date = new Date();
  /** Optimistic lock: 1 on creation, bumped once per unit of work that changes the row (services' `touch`). */
  version = 1;
}

export const DeviceSchema = defineEntity({
  class: Device,
  tableName: 'devices',
  // Each owner's devices in id order: a USER's devices page, each owner's page, and the foreign key.
  indexes: [{ name: 'devices_owner_id_id_index', properties: ['owner', 'id'] }],
  properties: (p) => ({
    id: p.uuid().primary(),
    owner: p.manyToOne(UserSchema).ref().deleteRule('restrict'),
    name: p.string().length(50),
    description: p.text().nullable(),
    active: p.boolean().default(true),
    registeredAt: p.datetime().columnType('timestamptz').defaultRaw('now()'),
    updatedAt: p.datetime().columnType('timestamptz').defaultRaw('now()'),
    version: p.integer().default(1),
  }),
});
