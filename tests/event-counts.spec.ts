import { CREATE_DEVICE, CREATE_USER, newUserInput, RECORD_EVENTS } from './support/documents';
import { createTestApi, type TestApi } from './support/test-api';

// totalCount of readings without a window reads counts kept per device as readings are written
// (triggers on `events`), not a scan of the table: they must stay exact whatever writes or deletes.
let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => api.close());

const COUNTS = `query ($a: ID!, $b: ID!) {
  events { totalCount }
  a: events(deviceId: $a) { totalCount }
  b: device(id: $b) { events { totalCount } }
}`;

/** What the table itself holds, per device: the truth the kept counts must equal. */
async function counted(deviceIds: string[]): Promise<Record<string, number>> {
  const rows = await api.db.sql<{ device_id: string; n: number }>('select device_id, count(*)::int as n from events where device_id = any($1) group by 1', [deviceIds]);
  return Object.fromEntries(deviceIds.map((id) => [id, rows.find((row) => row.device_id === id)?.n ?? 0]));
}

async function newDevice(ownerId: string, name: string): Promise<string> {
  return (await api.gql(CREATE_DEVICE, { input: { name, ownerId } })).data!.createDevice.device.id;
}

const readings = (deviceId: string, n: number, consumption = '1.00') => Array.from({ length: n }, () => ({ deviceId, consumption, unit: 'L' }));

describe('kept reading counts', () => {
  it('stay exact through ingest, a rolled-back mutation, deletes and concurrent writers to one device', async () => {
    const ownerId = (await api.gql(CREATE_USER, { input: newUserInput() })).data!.createUser.user.id;
    const a = await newDevice(ownerId, 'Counted A');
    const b = await newDevice(ownerId, 'Counted B');
    const check = async () => {
      const truth = await counted([a, b]);
      const [all] = await api.db.sql<{ n: number }>('select count(*)::int as n from events');
      const res = await api.gql(COUNTS, { a, b });
      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual({ events: { totalCount: all!.n }, a: { totalCount: truth[a] }, b: { events: { totalCount: truth[b] } } });
    };

    await api.gql(RECORD_EVENTS, { inputs: [...readings(a, 30), ...readings(b, 12)] });
    await check();

    // A mutation whose second field fails writes nothing, and counts nothing.
    const failed = await api.gql(
      `mutation ($r: [RecordEventInput!]!, $bad: [RecordEventInput!]!) { one: recordEvents(inputs: $r) { count } two: recordEvents(inputs: $bad) { count } }`,
      { r: readings(a, 5), bad: readings(b, 1, '-1') },
    );
    expect(failed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await check();

    // Eight writers at once, all to one device: no deadlock, no lost count.
    const concurrent = await Promise.all(Array.from({ length: 8 }, () => api.gql(RECORD_EVENTS, { inputs: readings(b, 50) })));
    expect(concurrent.map((res) => res.errors)).toEqual(Array(8).fill(undefined));
    await check();

    // Deleted by anyone (here SQL, as the bench clears its writes), and with the device itself.
    await api.db.sql('delete from events where id in (select id from events where device_id = $1 limit 7)', [a]);
    await check();
    await api.gql('mutation ($id: ID!) { deleteDevice(id: $id) { device { id } } }', { id: a });
    expect(await api.db.sql('select count(*)::int as n from device_event_counts where device_id = $1', [a])).toEqual([{ n: 0 }]);
    const after = await api.gql('query ($b: ID!) { events { totalCount } device(id: $b) { events { totalCount } } }', { b });
    const [all] = await api.db.sql<{ n: number }>('select count(*)::int as n from events');
    expect(after.data).toEqual({ events: { totalCount: all!.n }, device: { events: { totalCount: (await counted([b]))[b] } } });
  });

  it('are what totalCount reads without a window; a window counts its range', async () => {
    const ownerId = (await api.gql(CREATE_USER, { input: newUserInput() })).data!.createUser.user.id;
    const device = await newDevice(ownerId, 'Windowed');
    await api.gql(RECORD_EVENTS, {
      inputs: [
        { deviceId: device, consumption: '1.00', unit: 'L', occurredAt: '2026-01-01T00:00:00Z' },
        { deviceId: device, consumption: '1.00', unit: 'L', occurredAt: '2026-02-01T00:00:00Z' },
      ],
    });
    const kept = await api.statements(() => api.gql('query ($d: ID!) { events(deviceId: $d) { totalCount } }', { d: device }));
    expect(kept.filter((sql) => sql.includes('device_event_counts'))).toHaveLength(1);
    const windowed = await api.gql('query ($d: ID!) { events(deviceId: $d, from: "2026-01-15T00:00:00Z") { totalCount } }', { d: device });
    expect(windowed.data!.events.totalCount).toBe(1);
  });

  it("count only what the caller may see: a USER's total is their devices' readings", async () => {
    const input = newUserInput();
    const ownerId = (await api.gql(CREATE_USER, { input })).data!.createUser.user.id;
    const mine = await newDevice(ownerId, 'Mine');
    await api.gql(RECORD_EVENTS, { inputs: readings(mine, 3) });
    const login = await api.gql('mutation ($input: LoginInput!) { login(input: $input) { token } }', { input: { username: input.username, password: input.password } });
    const res = await api.gql('{ events { totalCount } }', {}, { authorization: `Bearer ${login.data!.login.token}` });
    expect(res.data).toEqual({ events: { totalCount: 3 } });
  });
});
