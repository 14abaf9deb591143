import { CREATE_DEVICE, CREATE_USER, newUserInput, RECORD_EVENT, RECORD_EVENTS, UPDATE_DEVICE } from './support/documents';
import { createOwnerAndDevice } from './support/fixtures';
import { createTestApi, type TestApi } from './support/test-api';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => api.close());

describe('createDevice', () => {
  it('registers a device for its owner', async () => {
    const { ownerId } = await createOwnerAndDevice(api);
    const res = await api.gql(CREATE_DEVICE, { input: { name: '  Rooftop tank  ', description: 'Level sensor', ownerId } });
    expect(res.errors).toBeUndefined();
    expect(res.data!.createDevice.device).toMatchObject({ name: 'Rooftop tank', description: 'Level sensor', active: true, version: 1, owner: { id: ownerId } });
    const [row] = await api.db.sql('select owner_id, name from devices where id = $1', [res.data!.createDevice.device.id]);
    expect(row).toEqual({ owner_id: ownerId, name: 'Rooftop tank' });
  });

  it('refuses an unknown owner, a deactivated owner and a bad name', async () => {
    const unknown = await api.gql(CREATE_DEVICE, { input: { name: 'X', ownerId: '01900000-0000-7000-8000-000000000000' } });
    expect(unknown.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND', field: 'input.ownerId' });

    const { ownerId } = await createOwnerAndDevice(api);
    await api.gql('mutation ($id: ID!) { deactivateUser(id: $id) { user { id } } }', { id: ownerId });
    const inactive = await api.gql(CREATE_DEVICE, { input: { name: 'X', ownerId } });
    expect(inactive.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.ownerId' });

    const longName = await api.gql(CREATE_DEVICE, { input: { name: 'x'.repeat(51), ownerId } });
    expect(longName.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.name' });
  });
});

describe('updateDevice and deleteDevice', () => {
  it('updates with an expected version and refuses a stale one', async () => {
    const { deviceId } = await createOwnerAndDevice(api);
    const ok = await api.gql(UPDATE_DEVICE, { id: deviceId, input: { name: 'Renamed', description: null, expectedVersion: 1 } });
    expect(ok.data!.updateDevice.device).toEqual({ id: deviceId, name: 'Renamed', description: null, version: 2 });
    const noop = await api.gql(UPDATE_DEVICE, { id: deviceId, input: { name: 'Renamed' } });
    expect(noop.data!.updateDevice.device.version).toBe(2); // nothing changed: no new version
    const stale = await api.gql(UPDATE_DEVICE, { id: deviceId, input: { name: 'Lost', expectedVersion: 1 } });
    expect(stale.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT', field: 'input.expectedVersion' });
    expect(await api.db.sql('select name, version from devices where id = $1', [deviceId])).toEqual([{ name: 'Renamed', version: 2 }]);
  });

  it('deletes a device with its events and returns it as it was', async () => {
    const { deviceId, ownerId } = await createOwnerAndDevice(api, 'Doomed meter');
    await api.gql(RECORD_EVENTS, { inputs: [1, 2, 3].map((n) => ({ deviceId, consumption: `${n}.00`, unit: 'L' })) });
    const res = await api.gql('mutation ($id: ID!) { deleteDevice(id: $id) { device { id name owner { id } } } }', { id: deviceId });
    expect(res.data!.deleteDevice.device).toEqual({ id: deviceId, name: 'Doomed meter', owner: { id: ownerId } });
    expect(await api.db.sql('select 1 from devices where id = $1', [deviceId])).toEqual([]);
    expect(await api.db.sql('select 1 from events where device_id = $1', [deviceId])).toEqual([]);
    const again = await api.gql('mutation ($id: ID!) { deleteDevice(id: $id) { device { id } } }', { id: deviceId });
    expect(again.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND', field: 'id' });
  });
});

describe('device and devices', () => {
  it('finds a device by id, null for an unknown id', async () => {
    const { deviceId } = await createOwnerAndDevice(api, 'Findable');
    expect((await api.gql('query ($id: ID!) { device(id: $id) { name } }', { id: deviceId })).data).toEqual({ device: { name: 'Findable' } });
    const none = await api.gql('{ device(id: "01900000-0000-7000-8000-000000000000") { name } }');
    expect(none).toMatchObject({ data: { device: null } });
    expect(none.errors).toBeUndefined();
  });

  it('filters by owner and search, and pages', async () => {
    const { ownerId } = await createOwnerAndDevice(api, 'Alpha pump');
    for (const name of ['Beta valve', 'alpha gate', 'Gamma relay']) await api.gql(CREATE_DEVICE, { input: { name, ownerId } });
    const res = await api.gql(
      'query ($ownerId: ID!) { devices(ownerId: $ownerId, search: "ALPHA", first: 1) { totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } }',
      { ownerId },
    );
    expect(res.data!.devices).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true }, edges: [{ node: { name: 'Alpha pump' } }] });
    const next = await api.gql(
      'query ($ownerId: ID!, $after: String) { devices(ownerId: $ownerId, search: "alpha", first: 1, after: $after) { pageInfo { hasNextPage } edges { node { name } } } }',
      { ownerId, after: res.data!.devices.pageInfo.endCursor },
    );
    expect(next.data!.devices).toEqual({ pageInfo: { hasNextPage: false }, edges: [{ node: { name: 'alpha gate' } }] });
  });

  it('refuses an empty or malformed owner filter instead of ignoring it', async () => {
    await createOwnerAndDevice(api);
    for (const ownerId of ['', 'nope']) {
      const res = await api.gql('query ($ownerId: ID!) { devices(ownerId: $ownerId) { totalCount } }', { ownerId });
      expect(res.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'ownerId' });
    }
  });

  it('treats a device deleted earlier in the same mutation as gone, and writes nothing', async () => {
    const { deviceId } = await createOwnerAndDevice(api, 'Still here');
    const res = await api.gql(
      `mutation ($id: ID!) {
        d: deleteDevice(id: $id) { device { id } }
        r: recordEvent(input: { deviceId: $id, consumption: "1", unit: "L" }) { event { id } }
      }`,
      { id: deviceId },
    );
    expect(res.data).toBeNull();
    expect(res.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND', field: 'input.deviceId' });
    const update = await api.gql(
      'mutation ($id: ID!) { d: deleteDevice(id: $id) { device { id } } u: updateDevice(id: $id, input: { name: "Zombie" }) { device { id } } }',
      { id: deviceId },
    );
    expect(update.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND', field: 'id' });
    expect(await api.db.sql('select name from devices where id = $1', [deviceId])).toEqual([{ name: 'Still here' }]);
  });

  it('treats LIKE wildcards in a search as plain text', async () => {
    const { ownerId } = await createOwnerAndDevice(api, 'Plain name');
    const res = await api.gql('query ($ownerId: ID!) { devices(ownerId: $ownerId, search: "%") { totalCount } }', { ownerId });
    expect(res.data!.devices.totalCount).toBe(0);
  });
});

describe('deactivateDevice and reactivateDevice', () => {
  const DEACTIVATE = 'mutation ($id: ID!) { deactivateDevice(id: $id) { device { id active version } } }';
  const REACTIVATE = 'mutation ($id: ID!) { reactivateDevice(id: $id) { device { id active version } } }';
  const READ = 'query ($id: ID!) { device(id: $id) { active latestEvent { consumption } events { totalCount } } }';

  /** A user with a device of theirs and one reading, and the user's own `Authorization` header. */
  async function ownerWithDevice(): Promise<{ deviceId: string; authorization: string }> {
    const input = newUserInput();
    const ownerId = (await api.gql(CREATE_USER, { input })).data!.createUser.user.id as string;
    const deviceId = (await api.gql(CREATE_DEVICE, { input: { name: 'Pausable meter', ownerId } })).data!.createDevice.device.id as string;
    await api.gql(RECORD_EVENT, { input: { deviceId, consumption: '3.00', unit: 'L' } });
    const login = await api.gql('mutation ($input: LoginInput!) { login(input: $input) { token } }', { input: { username: input.username, password: input.password } });
    return { deviceId, authorization: `Bearer ${login.data!.login.token}` };
  }

  it('lets the owner pause a device: new readings refused, history kept, readings again once reactivated', async () => {
    const { deviceId, authorization } = await ownerWithDevice();
    const off = await api.gql(DEACTIVATE, { id: deviceId }, { authorization });
    expect(off.errors).toBeUndefined();
    expect(off.data!.deactivateDevice.device).toEqual({ id: deviceId, active: false, version: 2 });

    const one = await api.gql(RECORD_EVENT, { input: { deviceId, consumption: '1.00', unit: 'L' } }, { authorization });
    expect(one.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.deviceId' });
    const batch = await api.gql(RECORD_EVENTS, { inputs: [{ deviceId, consumption: '1.00', unit: 'L' }] }, { authorization });
    expect(batch.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'inputs[0].deviceId' });
    expect(await api.db.sql('select count(*)::int as n from events where device_id = $1', [deviceId])).toEqual([{ n: 1 }]);

    const history = await api.gql(READ, { id: deviceId }, { authorization });
    expect(history.data!.device).toEqual({ active: false, latestEvent: { consumption: '3.00' }, events: { totalCount: 1 } });
    const listed = await api.gql('{ devices(active: false) { edges { node { id } } } }', {}, { authorization });
    expect(listed.data!.devices.edges).toEqual([{ node: { id: deviceId } }]);

    const again = await api.gql(DEACTIVATE, { id: deviceId }, { authorization });
    expect(again.data!.deactivateDevice.device.version).toBe(2); // nothing changed: no new version

    const on = await api.gql(REACTIVATE, { id: deviceId }, { authorization });
    expect(on.data!.reactivateDevice.device).toEqual({ id: deviceId, active: true, version: 3 });
    const recorded = await api.gql(RECORD_EVENT, { input: { deviceId, consumption: '2.00', unit: 'L' } }, { authorization });
    expect(recorded.errors).toBeUndefined();
    expect(await api.db.sql('select active, version from devices where id = $1', [deviceId])).toEqual([{ active: true, version: 3 }]);
  });

  it("refuses another user's device, an API key and an unknown id, changing nothing; an ADMIN may pause anyone's", async () => {
    const mine = await ownerWithDevice();
    const theirs = await ownerWithDevice();
    const forbidden = await api.gql(DEACTIVATE, { id: theirs.deviceId }, { authorization: mine.authorization });
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const key = await api.gql('mutation { createApiKey(input: { name: "k", scopes: ["devices:read", "events:write"], ownerId: "' + (await ownerIdOf(mine.deviceId)) + '" }) { secret } }', {}, { authorization: mine.authorization });
    const byKey = await api.gql(DEACTIVATE, { id: mine.deviceId }, { authorization: `Bearer ${key.data!.createApiKey.secret}` });
    expect(byKey.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const unknown = await api.gql(DEACTIVATE, { id: '0190a0a0-0000-7000-8000-00000000ffff' }, { authorization: mine.authorization });
    expect(unknown.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND', field: 'id' });
    expect(await api.db.sql('select active, version from devices where id = any($1) order by id', [[mine.deviceId, theirs.deviceId]])).toEqual([
      { active: true, version: 1 },
      { active: true, version: 1 },
    ]);
    const byAdmin = await api.gql(DEACTIVATE, { id: theirs.deviceId });
    expect(byAdmin.data!.deactivateDevice.device).toEqual({ id: theirs.deviceId, active: false, version: 2 });
  });

  async function ownerIdOf(deviceId: string): Promise<string> {
    const [row] = await api.db.sql<{ owner_id: string }>('select owner_id from devices where id = $1', [deviceId]);
    return row!.owner_id;
  }
});
