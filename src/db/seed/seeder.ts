import type { Knex } from '@mikro-orm/postgresql';
import { randomBytes } from 'node:crypto';
import type { EventRecord } from '../../entities';
import { newId } from '../../entities/ids';
import { hashPassword } from '../../shared/password';
import { insertEventRows } from '../event-rows';
import type { Orm } from '../orm';
import { DEMO_RECOMMENDATIONS, DEMO_USERS } from './demo-data';

/** Serialises seeders across processes (several API instances may start at once). */
const SEED_LOCK_KEY = 7_462_001;
/** Devices' events per transaction of the scale seed. */
const BATCH_ROWS = 10_000;
const DEMO_DAYS = 400;
const DEMO_READINGS_PER_DAY = 4;
/** How the demo's readings vary over a day (00:00, 06:00, 12:00, 18:00 UTC). */
const TIME_OF_DAY_FACTOR = [0.3, 1.2, 1.0, 1.5];

export interface DemoSeedResult {
  /** false when the demo data was already there (nothing was written). */
  readonly seeded: boolean;
  /** The admin's password when this run generated it; print it once, it is stored only as a hash. */
  readonly generatedAdminPassword?: string;
  readonly counts?: { users: number; devices: number; events: number; recommendations: number };
}

/**
 * Writes the demo dataset (admin, users, their devices with over a year of readings, tips) in one
 * transaction. Idempotent: a database that already has the `admin` user is left as it is.
 */
export async function seedDemo(orm: Orm, options: { adminPassword?: string | undefined }): Promise<DemoSeedResult> {
  const generatedAdminPassword = options.adminPassword ? undefined : randomBytes(12).toString('base64url');
  const adminHash = await hashPassword(options.adminPassword ?? generatedAdminPassword!);
  // Demo users cannot sign in until someone sets their password.
  const demoUserHash = await hashPassword(randomBytes(24).toString('base64url'));
  const random = seededRandom(20_260_101);

  return knexOf(orm).transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?)', [SEED_LOCK_KEY]);
    const existing: unknown = await trx('users').where({ username: 'admin' }).first('id');
    if (existing) return { seeded: false };

    const now = Date.now();
    const sixHours = (24 / DEMO_READINGS_PER_DAY) * 3_600_000;
    const newest = Math.floor(now / sixHours) * sixHours;
    const counts = { users: 0, devices: 0, events: 0, recommendations: 0 };

    for (const user of DEMO_USERS) {
      const userId = newId();
      await trx('users').insert({
        id: userId,
        username: user.username,
        email: user.email,
        password_hash: user.role === 'ADMIN' ? adminHash : demoUserHash,
        first_name: user.firstName,
        last_name: user.lastName,
        second_last_name: user.secondLastName,
        birth_date: user.birthDate,
        role: user.role,
      });
      counts.users++;
      for (const device of user.devices) {
        const deviceId = newId();
        await trx('devices').insert({ id: deviceId, owner_id: userId, name: device.name, description: device.description });
        counts.devices++;
        const events: EventRecord[] = [];
        for (let i = DEMO_DAYS * DEMO_READINGS_PER_DAY - 1; i >= 0; i--) {
          const occurredAt = newest - i * sixHours;
          const dayOfYear = new Date(occurredAt).getUTCDate() + new Date(occurredAt).getUTCMonth() * 31;
          const season = 1 + 0.3 * Math.sin((2 * Math.PI * dayOfYear) / 372);
          const timeOfDay = TIME_OF_DAY_FACTOR[new Date(occurredAt).getUTCHours() / 6] ?? 1;
          const litres = device.litresPerReading * season * timeOfDay * (0.6 + 0.8 * random());
          events.push({ id: newId(), device: { id: deviceId }, occurredAt: new Date(occurredAt), consumption: litres.toFixed(2), unit: 'L' });
        }
        await insertEventRows(trx, events);
        counts.events += events.length;
      }
    }

    for (const tip of DEMO_RECOMMENDATIONS) {
      await trx('recommendations').insert({
        id: newId(),
        title: tip.title,
        description: tip.description,
        image_url: `https://assets.aquamind.app/tips/${tip.icon}.png`,
        icon: tip.icon,
      });
      counts.recommendations++;
    }
    return { seeded: true, generatedAdminPassword, counts };
  });
}

export interface ScaleSeedOptions {
  readonly devices: number;
  readonly eventsPerDevice: number;
  /** Called after each committed batch. */
  readonly onProgress?: (progress: { devices: number; events: number; totalDevices: number; totalEvents: number }) => void;
}

/**
 * Adds a benchmark dataset: `bench-device-NNNNNN` devices (100 per `bench_owner_NNNNN` user), each with
 * `eventsPerDevice` hourly readings. Idempotent: devices that already exist are skipped, so running it again
 * adds nothing and a larger `devices` adds only the missing ones. Each batch of devices commits together
 * with its events, so an interrupted run never leaves a device with half its readings.
 */
export async function seedScale(orm: Orm, options: ScaleSeedOptions): Promise<{ devices: number; events: number }> {
  const { devices: totalDevices, eventsPerDevice, onProgress } = options;
  const knex = knexOf(orm);
  const ownerHash = await hashPassword(randomBytes(24).toString('base64url'));
  const random = seededRandom(totalDevices * 31 + eventsPerDevice);

  const existing = new Set(
    (await knex('devices').where('name', 'like', 'bench-device-%').pluck('name')) as string[],
  );
  const missing = Array.from({ length: totalDevices }, (_, i) => i + 1).filter((n) => !existing.has(benchDeviceName(n)));
  const totalEvents = missing.length * eventsPerDevice;
  const devicesPerBatch = Math.max(1, Math.floor(BATCH_ROWS / Math.max(1, eventsPerDevice)));
  const newestHour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
  const done = { devices: 0, events: 0 };

  for (let start = 0; start < missing.length; start += devicesPerBatch) {
    const batch = missing.slice(start, start + devicesPerBatch);
    await knex.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock(?)', [SEED_LOCK_KEY]);
      const ownerIds = await ensureBenchOwners(trx, batch, ownerHash);
      const deviceRows = batch.map((n) => ({ id: newId(), owner_id: ownerIds.get(benchOwnerName(n))!, name: benchDeviceName(n) }));
      await trx('devices').insert(deviceRows);
      const events: EventRecord[] = [];
      for (const device of deviceRows) {
        for (let i = eventsPerDevice - 1; i >= 0; i--) {
          events.push({
            id: newId(),
            device: { id: device.id },
            occurredAt: new Date(newestHour - i * 3_600_000),
            consumption: (random() * 50).toFixed(2),
            unit: 'L',
          });
        }
      }
      await insertEventRows(trx, events);
      done.devices += batch.length;
      done.events += events.length;
    });
    onProgress?.({ ...done, totalDevices: missing.length, totalEvents });
  }
  return done;
}

/** Creates the owners the batch's devices need and returns every owner's id by username. */
async function ensureBenchOwners(trx: Knex, deviceNumbers: readonly number[], passwordHash: string): Promise<Map<string, string>> {
  const usernames = [...new Set(deviceNumbers.map(benchOwnerName))];
  await trx('users')
    .insert(
      usernames.map((username) => ({
        id: newId(),
        username,
        email: `${username}@bench.aquamind.local`,
        password_hash: passwordHash,
        first_name: 'Bench',
        last_name: username.slice('bench_owner_'.length),
      })),
    )
    .onConflict('username')
    .ignore();
  const rows = await trx('users').whereIn('username', usernames).select<Array<{ id: string; username: string }>>('id', 'username');
  return new Map(rows.map((row) => [row.username, row.id]));
}

function benchDeviceName(n: number): string {
  return `bench-device-${String(n).padStart(6, '0')}`;
}

function benchOwnerName(deviceNumber: number): string {
  return `bench_owner_${String(Math.ceil(deviceNumber / 100)).padStart(5, '0')}`;
}

function knexOf(orm: Orm): Knex {
  return orm.em.getConnection().getKnex();
}

/** mulberry32: a small deterministic generator, so the demo data looks the same on every machine. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
