import { requireSelfOrAdmin, type ActingContext } from '../auth/actor';
import { findByIds } from '../db/lookup';
import { expectVersion, touch } from '../db/versioning';
import { Device, User } from '../entities';
import { NotFoundError } from '../shared/errors';
import { newOwnerId } from './owners';
import * as valid from './validation';

export interface CreateDeviceData {
  name: string;
  description?: string | null;
  /** The caller when left out. */
  ownerId?: string | null;
}

export interface UpdateDeviceData {
  name?: string | null;
  description?: string | null;
  expectedVersion?: number | null;
}

/** Registers a device for an existing, active user: oneself (by default), or anyone for an ADMIN. */
export async function createDevice(ctx: ActingContext, data: CreateDeviceData): Promise<Device> {
  const name = valid.text('input.name', data.name, { max: 50 });
  const description = valid.optionalText('input.description', data.description, 500);
  const ownerId = await newOwnerId(ctx, data.ownerId, 'You may only register devices for yourself');
  const device = ctx.em.create(Device, { owner: ctx.em.getReference(User, ownerId), name, description });
  ctx.em.persist(device);
  return device;
}

/** Changes one's own device (anyone's for an ADMIN). */
export async function updateDevice(ctx: ActingContext, id: string, data: UpdateDeviceData): Promise<Device> {
  const device = await getDevice(ctx, id);
  expectVersion('Device', device, data.expectedVersion);
  if (data.name !== undefined) device.name = valid.text('input.name', valid.notNull('input.name', data.name), { max: 50 });
  if (data.description !== undefined) device.description = valid.optionalText('input.description', data.description, 500);
  touch(ctx.em, device);
  return device;
}

/**
 * Deactivates or reactivates one's own device (anyone's for an ADMIN): a deactivated device takes no
 * new readings, and keeps its history. Versioned as every change is; one that changes nothing keeps
 * its version.
 */
export async function setDeviceActive(ctx: ActingContext, id: string, active: boolean): Promise<Device> {
  const device = await getDevice(ctx, id);
  device.active = active;
  touch(ctx.em, device);
  return device;
}

/**
 * Removes one's own device (anyone's for an ADMIN); the database deletes its events with it (ON DELETE
 * CASCADE). Returns the device as it was.
 */
export async function deleteDevice(ctx: ActingContext, id: string): Promise<Device> {
  const device = await getDevice(ctx, id);
  ctx.em.remove(device);
  return device;
}

/** A device the caller may change: NOT_FOUND when there is none, FORBIDDEN when it is not theirs. */
async function getDevice(ctx: ActingContext, id: string): Promise<Device> {
  const [device] = await findByIds(ctx.em, Device, [valid.id('id', id)]);
  if (!device) throw new NotFoundError('Device', id);
  await requireSelfOrAdmin(ctx, device.owner.id, 'You may only change your own devices');
  return device;
}

