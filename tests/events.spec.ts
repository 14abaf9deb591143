import { RECORD_EVENT, RECORD_EVENTS } from './support/documents';
import { createOwnerAndDevice } from './support/fixtures';
import { createTestApi, type TestApi } from './support/test-api';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => api.close());

const eventCount = async (deviceId: string) =>
  Number((await api.db.sql<{ n: string }>('select count(*) as n from events where device_id = $1', [deviceId]))[0]?.n);

describe('recordEvent', () => {
  it('records a reading with an exact decimal, now when no time is given', async () => {
    const { deviceId } = await createOwnerAndDevice(api, 'Kitchen meter');
    const before = Date.now();
    const res = await api.gql(RECORD_EVENT, { input: { deviceId, consumption: '12.5', unit: 'L/min' } });
    expect(res.errors).toBeUndefined();
    const event = res.data!.recordEvent.event;
    expect(event).toMatchObject({ consumption: '12.50', unit: 'L/min', device: { id: deviceId, name: 'Kitchen meter' } });
    expect(Date.parse(event.occurredAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(event.occurredAt)).toBeLessThanOrEqual(Date.now() + 1000);
    const [row] = await api.db.sql<{ consumption: string }>('select consumption::text from events where id = $1', [event.id]);
    expect(row!.consumption).toBe('12.50');
  });

  it('keeps a number literal exact (no float on the way in or out)', async () => {
    const { deviceId } = await createOwnerAndDevice(api);
    const res = await api.gql(`mutation { recordEvent(input: { deviceId: "${deviceId}", consumption: 99999999.99, unit: "L" }) { event { consumption } } }`);
    expect(res.data!.recordEvent.event.consumption).toBe('99999999.99');
  });

  it.each([
    ['consumption', { consumption: '-1' }],
    ['consumption', { consumption: '1.234' }],
    ['consumption', { consumption: '100000000' }],
    ['unit', { unit: 'x'.repeat(11) }],
    ['unit', { unit: '' }],
    ['occurredAt', { occurredAt: new Date(Date.now() + 3_600_000).toISOString() }],
    ['deviceId', { deviceId: 'not-a-uuid' }],
  ])('refuses a bad %s with BAD_USER_INPUT naming it', async (field, overrides) => {
    const { deviceId } = await createOwnerAndDevice(api);
    const res = await api.gql(RECORD_EVENT, { input: { deviceId, consumption: '1.00', unit: 'L', ...overrides } });
    expect(res.data).toBeNull();
    expect(res.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: `input.${field}` });
    expect(await eventCount(deviceId)).toBe(0);
  });

  it('refuses an unknown device with NOT_FOUND and a malformed DateTime before any resolver runs', async () => {
    const unknown = await api.gql(RECORD_EVENT, { input: { deviceId: '01900000-0000-7000-8000-000000000000', consumption: '1', unit: 'L' } });
    expect(unknown.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND', field: 'input.deviceId' });
    const { deviceId } = await createOwnerAndDevice(api);
    for (const occurredAt of ['yesterday', '2025-02-30T10:00:00Z', '2025-01-01T24:00:00Z', '2025-01-01T10:00:00']) {
      const badTime = await api.gql(RECORD_EVENT, { input: { deviceId, consumption: '1', unit: 'L', occurredAt } });
      expect(badTime.status).toBe(400);
      expect(badTime.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect(await eventCount(deviceId)).toBe(0);
  });
});

describe('recordEvents', () => {
  it('records many readings at once, returning their ids in input order', async () => {
    const { deviceId } = await createOwnerAndDevice(api);
    const inputs = [1, 2, 3].map((n) => ({ deviceId, consumption: `${n}.25`, unit: 'L', occurredAt: `2026-01-0${n}T00:00:00Z` }));
    const res = await api.gql(RECORD_EVENTS, { inputs });
    expect(res.data!.recordEvents.count).toBe(3);
    const rows = await api.db.sql<{ id: string; consumption: string }>(
      'select id, consumption::text from events where device_id = $1 order by occurred_at',
      [deviceId],
    );
    expect(rows.map((r) => r.id)).toEqual(res.data!.recordEvents.ids);
    expect(rows.map((r) => r.consumption)).toEqual(['1.25', '2.25', '3.25']);
  });

  it('writes none of them when one is bad, naming which', async () => {
    const { deviceId } = await createOwnerAndDevice(api);
    const inputs = [
      { deviceId, consumption: '1', unit: 'L' },
      { deviceId, consumption: '2', unit: 'L' },
      { deviceId, consumption: 'lots', unit: 'L' },
    ];
    const res = await api.gql(RECORD_EVENTS, { inputs });
    expect(res.status).toBe(400); // "lots" is not a Decimal: refused before execution
    const semantic = await api.gql(RECORD_EVENTS, { inputs: [...inputs.slice(0, 2), { deviceId, consumption: '-3', unit: 'L' }] });
    expect(semantic.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'inputs[2].consumption' });
    expect(await eventCount(deviceId)).toBe(0);
  });

  it('takes 10,000 readings in one operation and refuses 10,001', async () => {
    const { deviceId } = await createOwnerAndDevice(api);
    const reading = { deviceId, consumption: '0.50', unit: 'L' };
    const ok = await api.gql(RECORD_EVENTS, { inputs: Array.from({ length: 10_000 }, () => reading) });
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.recordEvents.count).toBe(10_000);
    expect(await eventCount(deviceId)).toBe(10_000);
    const tooMany = await api.gql(RECORD_EVENTS, { inputs: Array.from({ length: 10_001 }, () => reading) });
    expect(tooMany.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'inputs' });
    expect(await eventCount(deviceId)).toBe(10_000);
  });
});

describe('events', () => {
  it('lists newest first within [from, to), by device, with keyset pages and totals', async () => {
    const { deviceId } = await createOwnerAndDevice(api);
    const times = ['2025-03-01T10:00:00Z', '2025-03-02T10:00:00Z', '2025-03-03T10:00:00Z', '2025-03-04T10:00:00Z'];
    await api.gql(RECORD_EVENTS, { inputs: times.map((occurredAt) => ({ deviceId, consumption: '1', unit: 'L', occurredAt })) });
    const query = `query ($deviceId: ID!, $after: String) {
      events(deviceId: $deviceId, from: "2025-03-02T00:00:00Z", to: "2025-03-04T10:00:00Z", first: 1, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { occurredAt } }
      }
      device(id: $deviceId) { events(first: 1, after: $after, from: "2025-03-02T00:00:00Z", to: "2025-03-04T10:00:00Z") { totalCount edges { node { occurredAt } } } }
    }`;
    const first = await api.gql(query, { deviceId });
    expect(first.data!.events).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true }, edges: [{ node: { occurredAt: '2025-03-03T10:00:00.000Z' } }] });
    expect(first.data!.device.events).toEqual({ totalCount: 2, edges: [{ node: { occurredAt: '2025-03-03T10:00:00.000Z' } }] });
    const second = await api.gql(query, { deviceId, after: first.data!.events.pageInfo.endCursor });
    expect(second.data!.events.edges).toEqual([{ node: { occurredAt: '2025-03-02T10:00:00.000Z' } }]);
    expect(second.data!.events.pageInfo.hasNextPage).toBe(false);
    expect(second.data!.device.events.edges).toEqual([{ node: { occurredAt: '2025-03-02T10:00:00.000Z' } }]);
  });

  it('refuses a cursor whose parts are not of their columns\' types', async () => {
    const forged = Buffer.from('["event","not-a-time","x"]').toString('base64url');
    const res = await api.gql('query ($after: String) { events(after: $after) { totalCount } }', { after: forged });
    expect(res.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('refuses a window whose from is after its to', async () => {
    const res = await api.gql('{ events(from: "2025-03-05T00:00:00Z", to: "2025-03-01T00:00:00Z") { totalCount } }');
    expect(res.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'from' });
  });

  it('gives a device\'s latest event, null when it has none', async () => {
    const { deviceId } = await createOwnerAndDevice(api);
    const empty = await api.gql('query ($id: ID!) { device(id: $id) { latestEvent { id } } }', { id: deviceId });
    expect(empty.data!.device.latestEvent).toBeNull();
    await api.gql(RECORD_EVENTS, {
      inputs: [
        { deviceId, consumption: '1', unit: 'L', occurredAt: '2025-01-01T00:00:00Z' },
        { deviceId, consumption: '2', unit: 'L', occurredAt: '2025-06-01T00:00:00Z' },
        { deviceId, consumption: '3', unit: 'L', occurredAt: '2025-03-01T00:00:00Z' },
      ],
    });
    const latest = await api.gql('query ($id: ID!) { device(id: $id) { latestEvent { consumption occurredAt } } }', { id: deviceId });
    expect(latest.data!.device.latestEvent).toEqual({ consumption: '2.00', occurredAt: '2025-06-01T00:00:00.000Z' });
  });
});
