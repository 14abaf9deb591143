import { seedScale } from '../src/db/seed/seeder';
import { EVENTS_WITH_NODES, NODES_DEEP } from './support/documents';
import { createTestApi, type TestApi } from './support/test-api';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
  // 120 nodes under 2 owners, 15 readings each: enough parents to show any N+1.
  await seedScale(api.db.orm, { nodes: 120, eventsPerNode: 15 });
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
  it('answer the deep nodes query in the same number of statements for 5 and 100 nodes, at most 6', async () => {
    const five = await statementsOf(NODES_DEEP, { first: 5 });
    const hundred = await statementsOf(NODES_DEEP, { first: 100 });

    expect(five.data.nodes.edges).toHaveLength(5);
    expect(hundred.data.nodes.edges).toHaveLength(100);
    for (const { node } of hundred.data.nodes.edges) {
      expect(node.owner.username).toMatch(/^bench_owner_/);
      expect(node.latestEvent.consumption).toMatch(/^\d+\.\d{2}$/);
      expect(node.events.edges).toHaveLength(10);
      expect(node.consumption).toHaveLength(12);
    }
    expect(hundred.statements.length).toBe(five.statements.length);
    expect(hundred.statements.length).toBeLessThanOrEqual(6);
    // nodes page with owners, newest events (latest event and event pages alike), consumption; each
    // event's node and each node's owner come from the page
    expect(hundred.statements).toHaveLength(3);
  });

  it('answer node(id) with its owner in one statement, the owner read with the node', async () => {
    const { data: page } = await statementsOf('{ nodes(first: 1) { edges { node { id name owner { id username email } } } } }');
    const expected = page.nodes.edges[0].node;
    const { data, statements } = await statementsOf('query ($id: ID!) { node(id: $id) { id name owner { id username email } } }', {
      id: expected.id,
    });
    expect(data.node).toEqual(expected);
    expect(statements).toHaveLength(1);
  });

  it('answer events(first: 100) with their nodes and owners in at most 3 statements', async () => {
    const { statements, data } = await statementsOf(EVENTS_WITH_NODES);
    expect(data.events.edges).toHaveLength(100);
    expect(data.events.edges[0].node.node.owner.username).toMatch(/^bench_owner_/);
    expect(statements.length).toBeLessThanOrEqual(3);
  });

  it('batch a user\'s nodes, with their counts, across all users in one statement each', async () => {
    const { statements, data } = await statementsOf(
      '{ users(first: 10) { edges { node { username nodes(first: 3) { totalCount edges { node { name } } } } } } }',
    );
    const owners = data.users.edges.filter((e: any) => e.node.username.startsWith('bench_owner_'));
    expect(owners).toHaveLength(2);
    for (const owner of owners) {
      expect(owner.node.nodes.totalCount).toBe(owner.node.username === 'bench_owner_00001' ? 100 : 20);
      expect(owner.node.nodes.edges).toHaveLength(3);
    }
    expect(statements.length).toBe(3); // users page, nodes per owner, node counts per owner
  });

  it('keep loader results apart when the same parents are asked for with different arguments', async () => {
    const { data, statements } = await statementsOf(`{
      nodes(first: 20) { edges { node { id
        recent: events(first: 2) { edges { node { occurredAt } } }
        more: events(first: 5) { edges { node { occurredAt } } }
      } } }
    }`);
    for (const { node } of data.nodes.edges) {
      expect(node.recent.edges).toHaveLength(2);
      expect(node.more.edges).toHaveLength(5);
      expect(node.more.edges.slice(0, 2)).toEqual(node.recent.edges);
    }
    // nodes, then the newest 6 events of each node once, each list getting its share
    expect(statements.length).toBe(2);
  });

  it('read windowed event pages apart from the newest events, each with its own rows', async () => {
    const { data, statements } = await statementsOf(`{
      nodes(first: 20) { edges { node { id
        latestEvent { id }
        recent: events(first: 3) { edges { node { id occurredAt } } }
        older: events(first: 3, to: "2000-01-01T00:00:00.000Z") { edges { node { id } } }
      } } }
    }`);
    for (const { node } of data.nodes.edges) {
      expect(node.latestEvent.id).toBe(node.recent.edges[0].node.id);
      expect(node.recent.edges).toHaveLength(3);
      expect(node.older.edges).toEqual([]);
    }
    expect(statements.length).toBe(3); // nodes, newest events, the windowed pages
  });

  it('can be switched off (AQUAMIND_DATALOADERS=false): the same answer, one statement per key', async () => {
    const unbatched = await createTestApi({ dataloaders: false, allowDiagnostics: true });
    try {
      await seedScale(unbatched.db.orm, { nodes: 20, eventsPerNode: 3 });
      const withLoaders = await statementsOf(NODES_DEEP, { first: 20 });
      let data: unknown;
      const statements = await unbatched.statements(async () => {
        const res = await unbatched.gql(NODES_DEEP, { first: 20 });
        expect(res.errors).toBeUndefined();
        data = res.data;
      });
      expect((data as any).nodes.edges).toHaveLength(20);
      // Per node: its latest event, its events, its consumption, and the node of each of its 3 events
      // (served by the cache after the first); the owners of all 20 are one user, cached after the first.
      expect(statements.length).toBeGreaterThan(3 * 20);
      expect(withLoaders.statements).toHaveLength(3);
    } finally {
      await unbatched.close();
    }
  });
});
