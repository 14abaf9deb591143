import { CREATE_DEVICE, RECORD_EVENTS, UPDATE_DEVICE } from './support/documents';
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
