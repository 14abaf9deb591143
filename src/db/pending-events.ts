import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type { EventRecord } from '../entities';
import { insertEventRows } from './event-rows';
import { statementOwner } from './fork-context';
import { countStatement } from './statement-tally';

/**
 * Readings recorded in a unit of work, waiting for its flush. Ingestion records up to 10,000 at a
 * time, and an entity per reading made the ORM's bookkeeping (identity map, change sets) most of the
 * cost; readings are never edited, so they are kept as plain records and written by the unit of work
 * in one statement per 10,000, inside the same transaction as the rest of the field, and announced to
 * subscribers in that transaction (see event-announcements.ts). Pending readings belong to one fork
 * (one operation), and go when it is flushed or cleared.
 */
const pending = new WeakMap<EntityManager, EventRecord[]>();

/** Queues readings for the unit of work's next flush: what `persist` is for entities. */
export function persistEvents(em: EntityManager, events: readonly EventRecord[]): void {
  const queued = pending.get(em);
  if (queued) queued.push(...events);
  else pending.set(em, [...events]);
}

/**
 * Writes the queued readings through the fork (inside its transaction when it has one). Only the
 * unit-of-work plugin calls it, as part of its flush: services queue, they never write.
 */
export async function flushPendingEvents(em: EntityManager): Promise<void> {
  const events = pending.get(em);
  pending.delete(em);
  if (!events?.length) return;
  const trx = em.getTransactionContext<Knex.Transaction>();
  // The announcement is delivered when the transaction commits: without one, it could not wait for it.
  if (!trx) throw new Error('Readings are written in a transaction (the unit of work begins one before its flush)');
  try {
    await insertEventRows(trx, events, (sql, ms) => countStatement(statementOwner(em), sql, ms), { announce: true });
  } catch (error) {
    // The same exception classes as the ORM's own flush raises, so the one error mapping applies.
    throw em.getDriver().convertException(error as Error);
  }
}

/** Forgets the queued readings of a unit of work that is cleared. */
export function clearPendingEvents(em: EntityManager): void {
  pending.delete(em);
}
