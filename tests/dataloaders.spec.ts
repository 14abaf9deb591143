import { seedScale } from '../src/db/seed/seeder';
import { EVENTS_WITH_DEVICES, DEVICES_DEEP } from './support/documents';
import { createTestApi, type TestApi } from './support/test-api';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
  // 120 devices under 2 owners, 15 readings each: enough parents to show any N+1.
  await seedScale(api.db.orm, { devices: 120, eventsPerDevice: 15 });
});
afterAll(async () => api.close());

async function statementsOf(query: string, variables?: Record<string, unknown>) {
  let errors: unknown;
  let data: any;
  const statements = await api.statements(async () => {
    const res = await api.gql(query, variables);
    errors = res.errors;
    data = res.data;
  });
  expect(errors).toBeUndefined();
  return { statements, data };
}

describe('DataLoaders', () => {
  it('answer the deep devices query in the same number of statements for 5 and 100 devices, at most 6', async () => {
    const five = await statementsOf(DEVICES_DEEP, { first: 5 });
    const hundred = await statementsOf(DEVICES_DEEP, { first: 100 });

    expect(five.data.devices.edges).toHaveLength(5);
    expect(hundred.data.devices.edges).toHaveLength(100);
    for (const { node: device } of hundred.data.devices.edges) {
      expect(device.owner.username).toMatch(/^bench_owner_/);
      expect(device.latestEvent.consumption).toMatch(/^\d+\.\d{2}$/);
      expect(device.events.edges).toHaveLength(10);
      expect(device.consumption).toHaveLength(12);
    }
    expect(hundred.statements.length).toBe(five.statements.length);
    expect(hundred.statements.length).toBeLessThanOrEqual(6);
    // devices page with owners, newest events (latest event and event pages alike), consumption; each
    // event's device and each device's owner come from the page
    expect(hundred.statements).toHaveLength(3);
  });

  it('answer device(id) with its owner in one statement, the owner read with the device', async () => {
    const { data: page } = await statementsOf('{ devices(first: 1) { edges { node { id name owner { id username email } } } } }');
    const expected = page.devices.edges[0].node;
    const { data, statements } = await statementsOf('query ($id: ID!) { device(id: $id) { id name owner { id username email } } }', {
      id: expected.id,
    });
    expect(data.device).toEqual(expected);
    expect(statements).toHaveLength(1);
  });

  it('answer events(first: 100) with their devices and owners in at most 3 statements', async () => {
    const { statements, data } = await statementsOf(EVENTS_WITH_DEVICES);
    expect(data.events.edges).toHaveLength(100);
    expect(data.events.edges[0].node.device.owner.username).toMatch(/^bench_owner_/);
    expect(statements.length).toBeLessThanOrEqual(3);
  });

  it('batch a user\'s devices, with their counts, across all users in one statement each', async () => {
    const { statements, data } = await statementsOf(
      '{ users(first: 10) { edges { node { username devices(first: 3) { totalCount edges { node { name } } } } } } }',
    );
    const owners = data.users.edges.filter((e: any) => e.node.username.startsWith('bench_owner_'));
    expect(owners).toHaveLength(2);
    for (const owner of owners) {
      expect(owner.node.devices.totalCount).toBe(owner.node.username === 'bench_owner_00001' ? 100 : 20);
      expect(owner.node.devices.edges).toHaveLength(3);
    }
    expect(statements.length).toBe(3); // users page, devices per owner, device counts per owner
  });

  it('keep loader results apart when the same parents are asked for with different arguments', async () => {
    const { data, statements } = await statementsOf(`{
      devices(first: 20) { edges { node { id
        recent: events(first: 2) { edges { node { occurredAt } } }
        more: events(first: 5) { edges { node { occurredAt } } }
      } } }
    }`);
    for (const { node: device } of data.devices.edges) {
      expect(device.recent.edges).toHaveLength(2);
      expect(device.more.edges).toHaveLength(5);
      expect(device.more.edges.slice(0, 2)).toEqual(device.recent.edges);
    }
    // devices, then the newest 6 events of each device once, each list getting its share
    expect(statements.length).toBe(2);
  });

  it('read windowed event pages apart from the newest events, each with its own rows', async () => {
    const { data, statements } = await statementsOf(`{
      devices(first: 20) { edges { node { id
        latestEvent { id }
        recent: events(first: 3) { edges { node { id occurredAt } } }
        older: events(first: 3, to: "2000-01-01T00:00:00.000Z") { edges { node { id } } }
      } } }
    }`);
    for (const { node: device } of data.devices.edges) {
      expect(device.latestEvent.id).toBe(device.recent.edges[0].node.id);
      expect(device.recent.edges).toHaveLength(3);
      expect(device.older.edges).toEqual([]);
    }
    expect(statements.length).toBe(3); // devices, newest events, the windowed pages
  });

  it('can be switched off (AQUAMIND_DATALOADERS=false): the same answer, one statement per key', async () => {
    const unbatched = await createTestApi({ dataloaders: false, allowDiagnostics: true });
    try {
      await seedScale(unbatched.db.orm, { devices: 20, eventsPerDevice: 3 });
      const withLoaders = await statementsOf(DEVICES_DEEP, { first: 20 });
      let data: unknown;
      const statements = await unbatched.statements(async () => {
        const res = await unbatched.gql(DEVICES_DEEP, { first: 20 });
        expect(res.errors).toBeUndefined();
        data = res.data;
      });
      expect((data as any).devices.edges).toHaveLength(20);
      // Per node: its latest event, its events, its consumption, and the device of each of its 3 events
      // (served by the cache after the first); the owners of all 20 are one user, cached after the first.
      expect(statements.length).toBeGreaterThan(3 * 20);
      expect(withLoaders.statements).toHaveLength(3);
    } finally {
      await unbatched.close();
    }
  });
});
