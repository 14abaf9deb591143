import {
  CheckConstraintViolationException,
  ForeignKeyConstraintViolationException,
  OptimisticLockError,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import { Event, Device, User } from '../src/entities';
import { guardVersions, lockTouched, touch } from '../src/db/versioning';
import { createTestDatabase, type TestDatabase } from './support/test-database';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  // As the unit-of-work plugin does for the API: every flush is checked.
  guardVersions(db.orm.em);
});
afterAll(async () => db.drop());

let sequence = 0;
function userData(overrides: Partial<User> = {}) {
  sequence++;
  return {
    username: `user_${sequence}`,
    email: `user${sequence}@example.com`,
    passwordHash: 'not-a-real-hash',
    firstName: 'Test',
    lastName: 'User',
    ...overrides,
  };
}

async function insertUser(overrides: Partial<User> = {}): Promise<User> {
  const em = db.orm.em.fork();
  const user = em.create(User, userData(overrides));
  await em.flush();
  return user;
}

async function insertDevice(owner: User): Promise<Device> {
  const em = db.orm.em.fork();
  const device = em.create(Device, { owner: em.getReference(User, owner.id), name: 'Garden valve' });
  await em.flush();
  return device;
}

describe('defaults', () => {
  it('gives a new user a UUIDv7 id, role USER, active, version 1 and timestamps from the database clock', async () => {
    const user = await insertUser();
    const [row] = await db.sql(`select * from users where id = $1`, [user.id]);
    expect(user.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(row).toMatchObject({ role: 'USER', active: true, version: 1, second_last_name: null, birth_date: null });
    expect(row?.registered_at).toBeInstanceOf(Date);
  });

  it('makes ids that sort by creation time', async () => {
    const first = await insertUser();
    const second = await insertUser();
    expect(first.id < second.id).toBe(true);
  });

  it('bumps version once per unit of work and updatedAt on touch, and refuses a stale write', async () => {
    const user = await insertUser();
    const em = db.orm.em.fork();
    const loaded = await em.findOneOrFail(User, user.id);
    const before = loaded.updatedAt;
    loaded.firstName = 'Renamed';
    touch(em, loaded);
    loaded.lastName = 'Twice';
    touch(em, loaded);
    expect(loaded.version).toBe(2); // already what the row will hold
    // As the unit-of-work plugin flushes a mutation's fields: in one transaction, rows locked first.
    await em.begin();
    await lockTouched(em);
    await em.flush();
    // A later flush of the same unit of work (a second mutation field) keeps that version.
    loaded.secondLastName = 'Thrice';
    touch(em, loaded);
    await lockTouched(em);
    await em.flush();
    await em.commit();
    const [row] = await db.sql<{ version: number; updated_at: Date }>(`select version, updated_at from users where id = $1`, [user.id]);
    expect(row?.version).toBe(2);
    expect(row!.updated_at.getTime()).toBeGreaterThanOrEqual(before.getTime());

    // A writer that loaded version 2 before a concurrent update must not overwrite it.
    const stale = db.orm.em.fork();
    const staleCopy = await stale.findOneOrFail(User, user.id);
    await db.sql(`update users set first_name = 'Concurrent', version = version + 1 where id = $1`, [user.id]);
    staleCopy.lastName = 'Overwrite';
    touch(stale, staleCopy);
    await stale.begin();
    await expect(lockTouched(stale)).rejects.toBeInstanceOf(OptimisticLockError);
    await stale.rollback();
    const [after] = await db.sql(`select first_name, last_name, version from users where id = $1`, [user.id]);
    expect(after).toEqual({ first_name: 'Concurrent', last_name: 'Twice', version: 3 });
  });

  it('refuses to flush a touched row whose lock and version were not checked', async () => {
    const user = await insertUser();
    const em = db.orm.em.fork();
    const loaded = await em.findOneOrFail(User, user.id);
    loaded.firstName = 'Unchecked';
    touch(em, loaded);
    await expect(em.flush()).rejects.toBeInstanceOf(OptimisticLockError);
    expect(await db.sql(`select first_name, version from users where id = $1`, [user.id])).toEqual([
      { first_name: user.firstName, version: 1 },
    ]);
  });

  it('leaves the version alone when an update changes nothing, or changes a value back', async () => {
    const user = await insertUser();
    const em = db.orm.em.fork();
    const loaded = await em.findOneOrFail(User, user.id);
    loaded.firstName = 'Temporary';
    touch(em, loaded);
    loaded.firstName = user.firstName;
    touch(em, loaded);
    expect(loaded.version).toBe(1);
    await em.flush();
    expect(await db.sql(`select version from users where id = $1`, [user.id])).toEqual([{ version: 1 }]);
  });

  it('refuses a change that did not go through touch (no unversioned writes)', async () => {
    const user = await insertUser();
    const em = db.orm.em.fork();
    (await em.findOneOrFail(User, user.id)).firstName = 'Sneaky';
    await expect(em.flush()).rejects.toBeInstanceOf(OptimisticLockError);
  });
});

describe('constraints', () => {
  it('refuses a second user with the same username', async () => {
    await insertUser({ username: 'duplicate_name' });
    await expect(insertUser({ username: 'duplicate_name' })).rejects.toBeInstanceOf(UniqueConstraintViolationException);
  });

  it('refuses a second user with the same email', async () => {
    await insertUser({ email: 'same@example.com' });
    await expect(insertUser({ email: 'same@example.com' })).rejects.toBeInstanceOf(UniqueConstraintViolationException);
  });

  it('refuses a username outside [A-Za-z0-9_]{3,25} and an email that is not lower-case', async () => {
    await expect(insertUser({ username: 'no spaces' })).rejects.toBeInstanceOf(CheckConstraintViolationException);
    await expect(insertUser({ username: 'ab' })).rejects.toBeInstanceOf(CheckConstraintViolationException);
    await expect(insertUser({ email: 'Upper@Example.com' })).rejects.toBeInstanceOf(CheckConstraintViolationException);
  });

  it('refuses a device whose owner does not exist', async () => {
    const em = db.orm.em.fork();
    em.create(Device, { owner: em.getReference(User, '01900000-0000-7000-8000-000000000000'), name: 'Orphan' });
    await expect(em.flush()).rejects.toBeInstanceOf(ForeignKeyConstraintViolationException);
  });

  it('refuses to delete a user who owns devices', async () => {
    const owner = await insertUser();
    await insertDevice(owner);
    await expect(db.sql(`delete from users where id = $1`, [owner.id])).rejects.toThrow(/violates foreign key/);
  });

  it('deletes a device\'s events with it', async () => {
    const device = await insertDevice(await insertUser());
    const em = db.orm.em.fork();
    em.create(Event, { device: em.getReference(Device, device.id), occurredAt: new Date(), consumption: '1.50', unit: 'L' });
    await em.flush();
    await db.sql(`delete from devices where id = $1`, [device.id]);
    expect(await db.sql(`select id from events where device_id = $1`, [device.id])).toEqual([]);
  });

  it('keeps consumption exact to the cent and refuses a negative one', async () => {
    const device = await insertDevice(await insertUser());
    const em = db.orm.em.fork();
    const event = em.create(Event, { device: em.getReference(Device, device.id), occurredAt: new Date(), consumption: '12345678.91', unit: 'L/min' });
    await em.flush();
    const reread = await db.orm.em.fork().findOneOrFail(Event, event.id);
    expect(reread.consumption).toBe('12345678.91');

    const negative = db.orm.em.fork();
    negative.create(Event, { device: negative.getReference(Device, device.id), occurredAt: new Date(), consumption: '-0.01', unit: 'L' });
    await expect(negative.flush()).rejects.toBeInstanceOf(CheckConstraintViolationException);
  });
});
