import { requireScope } from '../auth/access';
import { actorOf, mayChangeOwnedBy, type ActingContext } from '../auth/actor';
import { findByIds } from '../db/lookup';
import { persistEvents } from '../db/pending-events';
import { Node, type EventRecord } from '../entities';
import { newId } from '../entities/ids';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../shared/errors';
import * as valid from './validation';

export interface RecordEventData {
  nodeId: string;
  consumption: string;
  unit: string;
  occurredAt?: Date | null;
}

export const MAX_EVENTS_PER_BATCH = 10_000;
/** Devices' clocks drift; readings stamped a little ahead of ours are accepted. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** Records one reading of an active node of the caller's (anyone's for an ADMIN). */
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
  const nodeIds = inputs.map((input, i) => valid.id(fieldOf(i, 'nodeId'), input.nodeId));
  const nodes = new Map((await findByIds(ctx.em, Node, [...new Set(nodeIds)])).flatMap((node) => (node ? [[node.id, node]] : [])));
  const now = Date.now();
  const received = new Date(now);
  const events = inputs.map((input, i): EventRecord => {
    const occurredAt = input.occurredAt ?? received;
    if (occurredAt.getTime() > now + CLOCK_SKEW_MS) {
      throw new InvalidInputError(fieldOf(i, 'occurredAt'), 'A reading cannot be more than 5 minutes in the future');
    }
    const consumption = valid.consumption(fieldOf(i, 'consumption'), input.consumption);
    const unit = valid.unit(fieldOf(i, 'unit'), input.unit);
    const node = nodes.get(nodeIds[i]!);
    if (!node) throw new NotFoundError('Node', nodeIds[i]!, fieldOf(i, 'nodeId'));
    if (!mayChangeOwnedBy(actor, node.owner.id)) throw new ForbiddenError('You may only record readings of your own nodes', fieldOf(i, 'nodeId'));
    if (!node.active) throw new InvalidInputError(fieldOf(i, 'nodeId'), 'The node is deactivated');
    return { id: newId(), node: { id: node.id }, occurredAt, consumption, unit };
  });
  persistEvents(ctx.em, events);
  return events;
}
