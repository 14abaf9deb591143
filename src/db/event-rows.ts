import type { Knex } from '@mikro-orm/postgresql';
import type { EventRecord } from '../entities';
import { ANNOUNCE, announcementValues } from './event-announcements';

/** Rows per INSERT statement: large enough to be fast, small enough to keep each statement's arrays modest. */
const BATCH_ROWS = 10_000;

/**
 * Inserts readings with one statement per {@link BATCH_ROWS}: the columns travel as arrays and are
 * unnested by PostgreSQL, so 10,000 readings cost one round trip and no per-row work in the ORM.
 * `recorded_at` is the database's time of the insert.
 */
export async function insertEventRows(
  knex: Knex | Knex.Transaction,
  rows: readonly EventRecord[],
  /** Told of each statement once answered or failed: its text and how long it took. */
  onStatement: (sql: string, ms: number) => void = () => {},
  /** `announce`: each statement also announces its readings to subscribers, when its transaction commits (the API's writes; not the seeders'). */
  { announce = false }: { announce?: boolean } = {},
): Promise<void> {
  for (let start = 0; start < rows.length; start += BATCH_ROWS) {
    const batch = rows.slice(start, start + BATCH_ROWS);
    const sent = performance.now();
    try {
      await insertBatch(knex, batch, announce);
    } finally {
      onStatement(announce ? INSERT_ANNOUNCED : INSERT, performance.now() - sent);
    }
  }
}

const INSERT = `insert into events (id, device_id, occurred_at, consumption, unit)
  select * from unnest(?::uuid[], ?::uuid[], ?::timestamptz[], ?::numeric[], ?::varchar[])`;

/** The insert, and in the same statement its announcement (see event-announcements.ts). */
const INSERT_ANNOUNCED = `with inserted as (${INSERT} returning 1) ${ANNOUNCE}`;

async function insertBatch(knex: Knex | Knex.Transaction, batch: readonly EventRecord[], announce: boolean): Promise<void> {
  const columns = [
    batch.map((r) => r.id),
    batch.map((r) => r.device.id),
    batch.map((r) => r.occurredAt.toISOString()),
    batch.map((r) => r.consumption),
    batch.map((r) => r.unit),
  ];
  await knex.raw(announce ? INSERT_ANNOUNCED : INSERT, announce ? [...columns, ...announcementValues(batch)] : columns);
}
