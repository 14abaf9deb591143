import { requireScope } from '../auth/access';
import { actorOf, mayChangeOwnedBy, type ActingContext } from '../auth/actor';
import { findByIds } from '../db/lookup';
import { persistEvents } from '../db/pending-events';
import { Device, type EventRecord } from '../entities';
import { newId } from '../entities/ids';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../shared/errors';
import * as valid from './validation';

export interface RecordEventData {
  deviceId: string;
  consumption: string;
  unit: string;
  occurredAt?: Date | null;
}

export const MAX_EVENTS_PER_BATCH = 10_000;
/** Devices' clocks drift; readings stamped a little ahead of ours are accepted. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** Records one reading of an active device of the caller's (anyone's for an ADMIN). */
export async function recordEvent(ctx: ActingContext, data: RecordEventData): Promise<EventRecord> {
  const [event] = await recordEventsAt(ctx, [data], (_index, field) => `input.${field}`);
  return event!;
}

/** Records many readings (at most 10,000) in the operation's unit of work: all of them, or none. */
export async function recordEvents(ctx: ActingContext, inputs: readonly RecordEventData[]): Promise<EventRecord[]> {
  if (inputs.length === 0 || inputs.length > MAX_EVENTS_PER_BATCH) {
    throw new InvalidInputError('inputs', `Send from 1 to ${MAX_EVENTS_PER_BATCH} readings at a time (got ${inputs.length})`);
  }
  return recordEventsAt(ctx, inputs, (i, field) => `inputs[${i}].${field}`);
}

async function recordEventsAt(
  ctx: ActingContext,
  inputs: readonly RecordEventData[],
  fieldOf: (index: number, field: string) => string,
): Promise<EventRecord[]> {
  requireScope(ctx, 'events:write');
  const actor = await actorOf(ctx);
  // Two passes over the inputs, no intermediate objects: ingestion takes 10,000 readings at a time.
  const deviceIds = inputs.map((input, i) => valid.id(fieldOf(i, 'deviceId'), input.deviceId));
  const devices = new Map((await findByIds(ctx.em, Device, [...new Set(deviceIds)])).flatMap((device) => (device ? [[device.id, device]] : [])));
  const now = Date.now();
  const received = new Date(now);
  const events = inputs.map((input, i): EventRecord => {
    const occurredAt = input.occurredAt ?? received;
    if (occurredAt.getTime() > now + CLOCK_SKEW_MS) {
      throw new InvalidInputError(fieldOf(i, 'occurredAt'), 'A reading cannot be more than 5 minutes in the future');
    }
    const consumption = valid.consumption(fieldOf(i, 'consumption'), input.consumption);
    const unit = valid.unit(fieldOf(i, 'unit'), input.unit);
    const device = devices.get(deviceIds[i]!);
    if (!device) throw new NotFoundError('Device', deviceIds[i]!, fieldOf(i, 'deviceId'));
    if (!mayChangeOwnedBy(actor, device.owner.id)) throw new ForbiddenError('You may only record readings of your own devices', fieldOf(i, 'deviceId'));
    if (!device.active) throw new InvalidInputError(fieldOf(i, 'deviceId'), 'The device is deactivated');
    return { id: newId(), device: { id: device.id }, occurredAt, consumption, unit };
  });
  persistEvents(ctx.em, events);
  return events;
}
