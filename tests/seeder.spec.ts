import { seedDemo, seedScale } from '../src/db/seed/seeder';
import { verifyPassword } from '../src/shared/password';
import { createTestDatabase, type TestDatabase } from './support/test-database';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.drop());

async function counts() {
  const [row] = await db.sql<{ users: string; devices: string; events: string; recommendations: string }>(`
    select (select count(*) from users) as users, (select count(*) from devices) as devices,
           (select count(*) from events) as events, (select count(*) from recommendations) as recommendations`);
  return row;
}

describe('demo seed', () => {
  it('writes an admin, users with devices, over a year of readings per device and about 20 tips', async () => {
    const result = await seedDemo(db.orm, { adminPassword: 'Chosen-Passw0rd' });
    expect(result.seeded).toBe(true);
    expect(result.generatedAdminPassword).toBeUndefined();

    const [admin] = await db.sql<{ role: string; password_hash: string }>(`select role, password_hash from users where username = 'admin'`);
    expect(admin?.role).toBe('ADMIN');
    expect(admin?.password_hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(admin!.password_hash, 'Chosen-Passw0rd')).toBe(true);

    const c = await counts();
    expect(Number(c?.users)).toBeGreaterThanOrEqual(4);
    expect(Number(c?.recommendations)).toBeGreaterThanOrEqual(18);
    const spans = await db.sql<{ devices_without_year: string; owners_without_devices: string }>(`
      select (select count(*) from devices n where (select max(occurred_at) - min(occurred_at) from events e where e.device_id = n.id) is null
                 or (select max(occurred_at) - min(occurred_at) from events e where e.device_id = n.id) < interval '365 days') as devices_without_year,
             (select count(*) from users u where not exists (select 1 from devices n where n.owner_id = u.id)) as owners_without_devices`);
    expect(spans[0]).toEqual({ devices_without_year: '0', owners_without_devices: '0' });
  });

  it('writes nothing the second time', async () => {
    const before = await counts();
    const again = await seedDemo(db.orm, { adminPassword: undefined });
    expect(again.seeded).toBe(false);
    expect(again.generatedAdminPassword).toBeUndefined();
    expect(await counts()).toEqual(before);
  });
});

describe('scale seed', () => {
  it('adds the requested devices and readings, only the missing ones on a second run', async () => {
    const before = await counts();
    const progress: number[] = [];
    const first = await seedScale(db.orm, { devices: 250, eventsPerDevice: 60, onProgress: (p) => progress.push(p.events) });
    expect(first).toEqual({ devices: 250, events: 15_000 });
    expect(progress.at(-1)).toBe(15_000);
    expect(progress.length).toBeGreaterThan(1);

    expect(await seedScale(db.orm, { devices: 250, eventsPerDevice: 60 })).toEqual({ devices: 0, events: 0 });
    expect(await seedScale(db.orm, { devices: 300, eventsPerDevice: 60 })).toEqual({ devices: 50, events: 3_000 });

    const after = await counts();
    expect(Number(after?.devices) - Number(before?.devices)).toBe(300);
    expect(Number(after?.events) - Number(before?.events)).toBe(18_000);
    const [perDevice] = await db.sql<{ min: number; max: number }>(`
      select min(c)::int as min, max(c)::int as max from (
        select count(e.id) as c from devices n left join events e on e.device_id = n.id where n.name like 'bench-device-%' group by n.id) t`);
    expect(perDevice).toEqual({ min: 60, max: 60 });
  });
});
