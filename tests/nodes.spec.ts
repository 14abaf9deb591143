import { CREATE_NODE, RECORD_EVENTS, UPDATE_NODE } from './support/documents';
import { createOwnerAndNode } from './support/fixtures';
import { createTestApi, type TestApi } from './support/test-api';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => api.close());

describe('createNode', () => {
  it('registers a node for its owner', async () => {
    const { ownerId } = await createOwnerAndNode(api);
    const res = await api.gql(CREATE_NODE, { input: { name: '  Rooftop tank  ', description: 'Level sensor', ownerId } });
    expect(res.errors).toBeUndefined();
    expect(res.data!.createNode.node).toMatchObject({ name: 'Rooftop tank', description: 'Level sensor', active: true, version: 1, owner: { id: ownerId } });
    const [row] = await api.db.sql('select owner_id, name from nodes where id = $1', [res.data!.createNode.node.id]);
    expect(row).toEqual({ owner_id: ownerId, name: 'Rooftop tank' });
  });

  it('refuses an unknown owner, a deactivated owner and a bad name', async () => {
    const unknown = await api.gql(CREATE_NODE, { input: { name: 'X', ownerId: '01900000-0000-7000-8000-000000000000' } });
    expect(unknown.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND', field: 'input.ownerId' });

    const { ownerId } = await createOwnerAndNode(api);
    await api.gql('mutation ($id: ID!) { deactivateUser(id: $id) { user { id } } }', { id: ownerId });
    const inactive = await api.gql(CREATE_NODE, { input: { name: 'X', ownerId } });
    expect(inactive.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.ownerId' });

    const longName = await api.gql(CREATE_NODE, { input: { name: 'x'.repeat(51), ownerId } });
    expect(longName.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.name' });
  });
});

describe('updateNode and deleteNode', () => {
  it('updates with an expected version and refuses a stale one', async () => {
    const { nodeId } = await createOwnerAndNode(api);
    const ok = await api.gql(UPDATE_NODE, { id: nodeId, input: { name: 'Renamed', description: null, expectedVersion: 1 } });
    expect(ok.data!.updateNode.node).toEqual({ id: nodeId, name: 'Renamed', description: null, version: 2 });
    const noop = await api.gql(UPDATE_NODE, { id: nodeId, input: { name: 'Renamed' } });
    expect(noop.data!.updateNode.node.version).toBe(2); // nothing changed: no new version
    const stale = await api.gql(UPDATE_NODE, { id: nodeId, input: { name: 'Lost', expectedVersion: 1 } });
    expect(stale.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT', field: 'input.expectedVersion' });
    expect(await api.db.sql('select name, version from nodes where id = $1', [nodeId])).toEqual([{ name: 'Renamed', version: 2 }]);
  });

  it('deletes a node with its events and returns it as it was', async () => {
    const { nodeId, ownerId } = await createOwnerAndNode(api, 'Doomed meter');
    await api.gql(RECORD_EVENTS, { inputs: [1, 2, 3].map((n) => ({ nodeId, consumption: `${n}.00`, unit: 'L' })) });
    const res = await api.gql('mutation ($id: ID!) { deleteNode(id: $id) { node { id name owner { id } } } }', { id: nodeId });
    expect(res.data!.deleteNode.node).toEqual({ id: nodeId, name: 'Doomed meter', owner: { id: ownerId } });
    expect(await api.db.sql('select 1 from nodes where id = $1', [nodeId])).toEqual([]);
    expect(await api.db.sql('select 1 from events where node_id = $1', [nodeId])).toEqual([]);
    const again = await api.gql('mutation ($id: ID!) { deleteNode(id: $id) { node { id } } }', { id: nodeId });
    expect(again.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND', field: 'id' });
  });
});

describe('node and nodes', () => {
  it('finds a node by id, null for an unknown id', async () => {
    const { nodeId } = await createOwnerAndNode(api, 'Findable');
    expect((await api.gql('query ($id: ID!) { node(id: $id) { name } }', { id: nodeId })).data).toEqual({ node: { name: 'Findable' } });
    const none = await api.gql('{ node(id: "01900000-0000-7000-8000-000000000000") { name } }');
    expect(none).toMatchObject({ data: { node: null } });
    expect(none.errors).toBeUndefined();
  });

  it('filters by owner and search, and pages', async () => {
    const { ownerId } = await createOwnerAndNode(api, 'Alpha pump');
    for (const name of ['Beta valve', 'alpha gate', 'Gamma relay']) await api.gql(CREATE_NODE, { input: { name, ownerId } });
    const res = await api.gql(
      'query ($ownerId: ID!) { nodes(ownerId: $ownerId, search: "ALPHA", first: 1) { totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } }',
      { ownerId },
    );
    expect(res.data!.nodes).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true }, edges: [{ node: { name: 'Alpha pump' } }] });
    const next = await api.gql(
      'query ($ownerId: ID!, $after: String) { nodes(ownerId: $ownerId, search: "alpha", first: 1, after: $after) { pageInfo { hasNextPage } edges { node { name } } } }',
      { ownerId, after: res.data!.nodes.pageInfo.endCursor },
    );
    expect(next.data!.nodes).toEqual({ pageInfo: { hasNextPage: false }, edges: [{ node: { name: 'alpha gate' } }] });
  });

  it('refuses an empty or malformed owner filter instead of ignoring it', async () => {
    await createOwnerAndNode(api);
    for (const ownerId of ['', 'nope']) {
      const res = await api.gql('query ($ownerId: ID!) { nodes(ownerId: $ownerId) { totalCount } }', { ownerId });
      expect(res.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'ownerId' });
    }
  });

  it('treats a node deleted earlier in the same mutation as gone, and writes nothing', async () => {
    const { nodeId } = await createOwnerAndNode(api, 'Still here');
    const res = await api.gql(
      `mutation ($id: ID!) {
        d: deleteNode(id: $id) { node { id } }
        r: recordEvent(input: { nodeId: $id, consumption: "1", unit: "L" }) { event { id } }
      }`,
      { id: nodeId },
    );
    expect(res.data).toBeNull();
    expect(res.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND', field: 'input.nodeId' });
    const update = await api.gql(
      'mutation ($id: ID!) { d: deleteNode(id: $id) { node { id } } u: updateNode(id: $id, input: { name: "Zombie" }) { node { id } } }',
      { id: nodeId },
    );
    expect(update.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND', field: 'id' });
    expect(await api.db.sql('select name from nodes where id = $1', [nodeId])).toEqual([{ name: 'Still here' }]);
  });

  it('treats LIKE wildcards in a search as plain text', async () => {
    const { ownerId } = await createOwnerAndNode(api, 'Plain name');
    const res = await api.gql('query ($ownerId: ID!) { nodes(ownerId: $ownerId, search: "%") { totalCount } }', { ownerId });
    expect(res.data!.nodes.totalCount).toBe(0);
  });
});
