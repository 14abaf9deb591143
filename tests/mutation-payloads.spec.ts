import { CREATE_USER, newUserInput } from './support/documents';
import { createOwnerAndDevice } from './support/fixtures';
import { createTestApi, type TestApi } from './support/test-api';

/**
 * What a mutation returns shows the world after the mutation, nested fields included: every read of a
 * payload (lists, counts, latest values) sees the writes of its own field and of the fields before it.
 */
let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => api.close());

/** A device with `readings` readings an hour apart, the newest an hour ago. */
async function deviceWithReadings(readings: number) {
  const { ownerId, deviceId } = await createOwnerAndDevice(api);
  const inputs = Array.from({ length: readings }, (_, i) => ({
    deviceId,
    consumption: `${i + 1}.00`,
    unit: 'L',
    occurredAt: new Date(Date.now() - (i + 1) * 3_600_000).toISOString(),
  }));
  const res = await api.gql('mutation ($inputs: [RecordEventInput!]!) { recordEvents(inputs: $inputs) { count } }', { inputs });
  expect(res.errors).toBeUndefined();
  return { ownerId, deviceId };
}

const eventCount = async (deviceId: string) =>
  Number((await api.db.sql<{ n: string }>('select count(*) as n from events where device_id = $1', [deviceId]))[0]!.n);

/** Sessions of the API left inside a transaction: there must never be any once an operation has answered. */
const openTransactions = async () =>
  Number(
    (
      await api.db.sql<{ n: string }>(
        "select count(*) as n from pg_stat_activity where datname = current_database() and application_name = 'aquamind-api' and state like 'idle in transaction%'",
      )
    )[0]!.n,
  );

const RECORD_AND_READ_BACK = /* GraphQL */ `
  mutation ($deviceId: ID!) {
    recordEvent(input: { deviceId: $deviceId, consumption: "9.99", unit: "L" }) {
      event {
        id
        device {
          latestEvent { id consumption }
          events(first: 1) { totalCount edges { node { id consumption } } }
        }
      }
    }
  }
`;

describe('a mutation payload', () => {
  it("shows a recorded reading as the device's latest event and first of its events, counted", async () => {
    const { deviceId } = await deviceWithReadings(3);
    const res = await api.gql(RECORD_AND_READ_BACK, { deviceId });
    expect(res.errors).toBeUndefined();
    const { id, device } = res.data!.recordEvent.event;
    expect(device.latestEvent).toEqual({ id, consumption: '9.99' });
    expect(device.events.totalCount).toBe(4);
    expect(device.events.edges).toEqual([{ node: { id, consumption: '9.99' } }]);
    expect(await eventCount(deviceId)).toBe(4);
  });

  it("shows a created device among its owner's devices, counted", async () => {
    const { ownerId } = await createOwnerAndDevice(api, 'first');
    const res = await api.gql(
      `mutation ($ownerId: ID!) {
        createDevice(input: { name: "fresh", ownerId: $ownerId }) {
          device { id owner { devices(first: 100) { totalCount edges { node { id name } } } } }
        }
      }`,
      { ownerId },
    );
    expect(res.errors).toBeUndefined();
    const { id, owner } = res.data!.createDevice.device;
    expect(owner.devices.totalCount).toBe(2);
    expect(owner.devices.edges.map((e: any) => e.node.name)).toEqual(['first', 'fresh']);
    expect(owner.devices.edges[1].node.id).toBe(id);
  });

  it("no longer counts a deleted device among its owner's devices", async () => {
    const { ownerId, deviceId } = await createOwnerAndDevice(api, 'doomed');
    await api.gql('mutation ($ownerId: ID!) { createDevice(input: { name: "kept", ownerId: $ownerId }) { device { id } } }', { ownerId });
    const res = await api.gql(
      'mutation ($id: ID!) { deleteDevice(id: $id) { device { name owner { devices(first: 1) { totalCount edges { node { name } } } } } } }',
      { id: deviceId },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.deleteDevice.device.name).toBe('doomed'); // the device as it was
    expect(res.data!.deleteDevice.device.owner.devices).toEqual({ totalCount: 1, edges: [{ node: { name: 'kept' } }] });
  });

  it('sees the writes of the fields before it, and never a row a loader read before a write', async () => {
    const { deviceId } = await deviceWithReadings(2);
    const res = await api.gql(
      `mutation ($deviceId: ID!) {
        a: recordEvent(input: { deviceId: $deviceId, consumption: "1.50", unit: "L" }) { event { device { name } } }
        b: updateDevice(id: $deviceId, input: { name: "renamed" }) { device { name } }
        c: recordEvent(input: { deviceId: $deviceId, consumption: "2.50", unit: "L" }) {
          event { device { name events(first: 10) { totalCount } } }
        }
      }`,
      { deviceId },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.a.event.device.name).toBe('Garden valve');
    expect(res.data!.c.event.device).toEqual({ name: 'renamed', events: { totalCount: 4 } });
  });

  it('after recordEvents, shows every recorded reading to a later field', async () => {
    const { deviceId } = await deviceWithReadings(2);
    const inputs = ['3.00', '4.00', '5.00'].map((consumption) => ({ deviceId, consumption, unit: 'L' }));
    const res = await api.gql(
      `mutation ($deviceId: ID!, $inputs: [RecordEventInput!]!) {
        ingest: recordEvents(inputs: $inputs) { count ids }
        then: updateDevice(id: $deviceId, input: { description: "after ingest" }) {
          device { latestEvent { id } events(first: 10) { totalCount edges { node { id } } } }
        }
      }`,
      { deviceId, inputs },
    );
    expect(res.errors).toBeUndefined();
    const { ids } = res.data!.ingest;
    const { device } = res.data!.then;
    expect(device.events.totalCount).toBe(5);
    expect(device.events.edges.map((e: any) => e.node.id)).toEqual(expect.arrayContaining(ids));
    expect(ids).toContain(device.latestEvent.id);
  });

  it('is right in each operation of a batched request, and the operations stay independent', async () => {
    const { ownerId, deviceId } = await deviceWithReadings(1);
    const { status, body } = await api.batch([
      { query: RECORD_AND_READ_BACK, variables: { deviceId } },
      {
        query: 'mutation ($ownerId: ID!) { createDevice(input: { name: "batched", ownerId: $ownerId }) { device { owner { devices(first: 10) { totalCount } } } } }',
        variables: { ownerId },
      },
      { query: 'mutation ($deviceId: ID!) { recordEvent(input: { deviceId: $deviceId, consumption: "-1", unit: "L" }) { event { id } } }', variables: { deviceId } },
    ]);
    expect(status).toBe(200);
    const recorded = body[0].data.recordEvent.event;
    expect(recorded.device.latestEvent.id).toBe(recorded.id);
    expect(recorded.device.events.totalCount).toBe(2);
    expect(body[1].data.createDevice.device.owner.devices.totalCount).toBe(2);
    expect(body[2]).toMatchObject({ data: null, errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
    expect(await eventCount(deviceId)).toBe(2);
    expect(await openTransactions()).toBe(0);
  });
});

describe('the mutation transaction', () => {
  it('leaves nothing of a first field when a second one fails, and no transaction open', async () => {
    const { deviceId } = await deviceWithReadings(1);
    const res = await api.gql(
      `mutation ($deviceId: ID!) {
        a: recordEvent(input: { deviceId: $deviceId, consumption: "7.77", unit: "L" }) { event { device { latestEvent { consumption } } } }
        b: updateDevice(id: $deviceId, input: { name: "", expectedVersion: 1 }) { device { name } }
      }`,
      { deviceId },
    );
    expect(res.data).toBeNull();
    expect(res.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.name' });
    expect(await eventCount(deviceId)).toBe(1);
    expect(await api.db.sql("select 1 from events where consumption = '7.77' and device_id = $1", [deviceId])).toEqual([]);
    expect(await openTransactions()).toBe(0);
    expect(await api.poolUsedAtRest()).toBe(0);
  });

  it('answers a unique clash in a later field with CONFLICT naming the field, writing nothing of either', async () => {
    const { deviceId } = await deviceWithReadings(1);
    const tag = Date.now().toString(36);
    const res = await api.gql(
      `mutation ($deviceId: ID!, $a: CreateUserInput!, $b: CreateUserInput!) {
        r: recordEvent(input: { deviceId: $deviceId, consumption: "8.88", unit: "L" }) { event { id } }
        a: createUser(input: $a) { user { id } }
        b: createUser(input: $b) { user { id } }
      }`,
      {
        deviceId,
        a: { username: `clash_${tag}`, email: `a_${tag}@example.com`, password: 'Secret-Passw0rd', firstName: 'A', lastName: 'A' },
        b: { username: `other_${tag}`, email: `a_${tag}@example.com`, password: 'Secret-Passw0rd', firstName: 'B', lastName: 'B' },
      },
    );
    expect(res.data).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT', field: 'input.email' });
    expect(await eventCount(deviceId)).toBe(1);
    expect(await api.db.sql('select 1 from users where username = $1', [`clash_${tag}`])).toEqual([]);
    expect(await openTransactions()).toBe(0);
  });

  it('runs no field after a failed one: only the failure is reported, and nothing is written', async () => {
    const { deviceId } = await deviceWithReadings(1);
    const taken = await api.gql(CREATE_USER, { input: newUserInput() });
    const clash = newUserInput({ username: taken.data!.createUser.user.username });
    let res: Awaited<ReturnType<TestApi['gql']>> | undefined;
    const statements = await api.statements(async () => {
      res = await api.gql(
        `mutation ($deviceId: ID!, $clash: CreateUserInput!) {
          a: createUser(input: $clash) { user { id } }
          b: recordEvent(input: { deviceId: $deviceId, consumption: "3.33", unit: "L" }) { event { id } }
          c: updateDevice(id: $deviceId, input: { name: "never" }) { device { name } }
        }`,
        { deviceId, clash },
      );
    });
    expect(res!.data).toBeNull();
    expect(res!.errors).toHaveLength(1);
    expect(res!.errors?.[0]).toMatchObject({ path: ['a'], extensions: { code: 'CONFLICT', field: 'input.username' } });
    // a's insert failed; b and c sent nothing (no device lookup, no insert, no update).
    expect(statements.filter((sql) => /\b(events|devices)\b/.test(sql))).toEqual([]);
    expect(await eventCount(deviceId)).toBe(1);
    expect(await openTransactions()).toBe(0);
  });

  it("checks expectedVersion against the row as the operation found it, not as an earlier field left it", async () => {
    const { deviceId } = await deviceWithReadings(1);
    const twice = await api.gql(
      `mutation ($id: ID!) {
        a: updateDevice(id: $id, input: { name: "first", expectedVersion: 1 }) { device { version } }
        b: updateDevice(id: $id, input: { description: "second", expectedVersion: 1 }) { device { name version } }
      }`,
      { id: deviceId },
    );
    expect(twice.errors).toBeUndefined();
    // One operation, one new version, however many of its fields change the row.
    expect(twice.data).toEqual({ a: { device: { version: 2 } }, b: { device: { name: 'first', version: 2 } } });
    expect(await api.db.sql('select version from devices where id = $1', [deviceId])).toEqual([{ version: 2 }]);

    const guessed = await api.gql(
      `mutation ($id: ID!) {
        a: updateDevice(id: $id, input: { name: "third", expectedVersion: 2 }) { device { version } }
        b: updateDevice(id: $id, input: { name: "fourth", expectedVersion: 3 }) { device { version } }
      }`,
      { id: deviceId },
    );
    expect(guessed.data).toBeNull();
    expect(guessed.errors?.[0]).toMatchObject({ path: ['b'], extensions: { code: 'CONFLICT', field: 'input.expectedVersion' } });
    expect(await api.db.sql('select name, version from devices where id = $1', [deviceId])).toEqual([{ name: 'first', version: 2 }]);
  });

  it('is not opened by a query, which never holds a connection between statements', async () => {
    const { deviceId } = await deviceWithReadings(2);
    const statements = await api.statements(() =>
      api.gql('query ($id: ID!) { device(id: $id) { name latestEvent { id } events(first: 5) { totalCount } } }', { id: deviceId }),
    );
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.filter((sql) => /^(begin|commit|rollback|savepoint)/i.test(sql.trim()))).toEqual([]);
  });
});
