import { CREATE_USER, newUserInput } from './support/documents';
import { createOwnerAndNode } from './support/fixtures';
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

/** A node with `readings` readings an hour apart, the newest an hour ago. */
async function nodeWithReadings(readings: number) {
  const { ownerId, nodeId } = await createOwnerAndNode(api);
  const inputs = Array.from({ length: readings }, (_, i) => ({
    nodeId,
    consumption: `${i + 1}.00`,
    unit: 'L',
    occurredAt: new Date(Date.now() - (i + 1) * 3_600_000).toISOString(),
  }));
  const res = await api.gql('mutation ($inputs: [RecordEventInput!]!) { recordEvents(inputs: $inputs) { count } }', { inputs });
  expect(res.errors).toBeUndefined();
  return { ownerId, nodeId };
}

const eventCount = async (nodeId: string) =>
  Number((await api.db.sql<{ n: string }>('select count(*) as n from events where node_id = $1', [nodeId]))[0]!.n);

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
  mutation ($nodeId: ID!) {
    recordEvent(input: { nodeId: $nodeId, consumption: "9.99", unit: "L" }) {
      event {
        id
        node {
          latestEvent { id consumption }
          events(first: 1) { totalCount edges { node { id consumption } } }
        }
      }
    }
  }
`;

describe('a mutation payload', () => {
  it("shows a recorded reading as the node's latest event and first of its events, counted", async () => {
    const { nodeId } = await nodeWithReadings(3);
    const res = await api.gql(RECORD_AND_READ_BACK, { nodeId });
    expect(res.errors).toBeUndefined();
    const { id, node } = res.data!.recordEvent.event;
    expect(node.latestEvent).toEqual({ id, consumption: '9.99' });
    expect(node.events.totalCount).toBe(4);
    expect(node.events.edges).toEqual([{ node: { id, consumption: '9.99' } }]);
    expect(await eventCount(nodeId)).toBe(4);
  });

  it("shows a created node among its owner's nodes, counted", async () => {
    const { ownerId } = await createOwnerAndNode(api, 'first');
    const res = await api.gql(
      `mutation ($ownerId: ID!) {
        createNode(input: { name: "fresh", ownerId: $ownerId }) {
          node { id owner { nodes(first: 100) { totalCount edges { node { id name } } } } }
        }
      }`,
      { ownerId },
    );
    expect(res.errors).toBeUndefined();
    const { id, owner } = res.data!.createNode.node;
    expect(owner.nodes.totalCount).toBe(2);
    expect(owner.nodes.edges.map((e: any) => e.node.name)).toEqual(['first', 'fresh']);
    expect(owner.nodes.edges[1].node.id).toBe(id);
  });

  it("no longer counts a deleted node among its owner's nodes", async () => {
    const { ownerId, nodeId } = await createOwnerAndNode(api, 'doomed');
    await api.gql('mutation ($ownerId: ID!) { createNode(input: { name: "kept", ownerId: $ownerId }) { node { id } } }', { ownerId });
    const res = await api.gql(
      'mutation ($id: ID!) { deleteNode(id: $id) { node { name owner { nodes(first: 1) { totalCount edges { node { name } } } } } } }',
      { id: nodeId },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.deleteNode.node.name).toBe('doomed'); // the node as it was
    expect(res.data!.deleteNode.node.owner.nodes).toEqual({ totalCount: 1, edges: [{ node: { name: 'kept' } }] });
  });

  it('sees the writes of the fields before it, and never a row a loader read before a write', async () => {
    const { nodeId } = await nodeWithReadings(2);
    const res = await api.gql(
      `mutation ($nodeId: ID!) {
        a: recordEvent(input: { nodeId: $nodeId, consumption: "1.50", unit: "L" }) { event { node { name } } }
        b: updateNode(id: $nodeId, input: { name: "renamed" }) { node { name } }
        c: recordEvent(input: { nodeId: $nodeId, consumption: "2.50", unit: "L" }) {
          event { node { name events(first: 10) { totalCount } } }
        }
      }`,
      { nodeId },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.a.event.node.name).toBe('Garden valve');
    expect(res.data!.c.event.node).toEqual({ name: 'renamed', events: { totalCount: 4 } });
  });

  it('after recordEvents, shows every recorded reading to a later field', async () => {
    const { nodeId } = await nodeWithReadings(2);
    const inputs = ['3.00', '4.00', '5.00'].map((consumption) => ({ nodeId, consumption, unit: 'L' }));
    const res = await api.gql(
      `mutation ($nodeId: ID!, $inputs: [RecordEventInput!]!) {
        ingest: recordEvents(inputs: $inputs) { count ids }
        then: updateNode(id: $nodeId, input: { description: "after ingest" }) {
          node { latestEvent { id } events(first: 10) { totalCount edges { node { id } } } }
        }
      }`,
      { nodeId, inputs },
    );
    expect(res.errors).toBeUndefined();
    const { ids } = res.data!.ingest;
    const { node } = res.data!.then;
    expect(node.events.totalCount).toBe(5);
    expect(node.events.edges.map((e: any) => e.node.id)).toEqual(expect.arrayContaining(ids));
    expect(ids).toContain(node.latestEvent.id);
  });

  it('is right in each operation of a batched request, and the operations stay independent', async () => {
    const { ownerId, nodeId } = await nodeWithReadings(1);
    const { status, body } = await api.batch([
      { query: RECORD_AND_READ_BACK, variables: { nodeId } },
      {
        query: 'mutation ($ownerId: ID!) { createNode(input: { name: "batched", ownerId: $ownerId }) { node { owner { nodes(first: 10) { totalCount } } } } }',
        variables: { ownerId },
      },
      { query: 'mutation ($nodeId: ID!) { recordEvent(input: { nodeId: $nodeId, consumption: "-1", unit: "L" }) { event { id } } }', variables: { nodeId } },
    ]);
    expect(status).toBe(200);
    const recorded = body[0].data.recordEvent.event;
    expect(recorded.node.latestEvent.id).toBe(recorded.id);
    expect(recorded.node.events.totalCount).toBe(2);
    expect(body[1].data.createNode.node.owner.nodes.totalCount).toBe(2);
    expect(body[2]).toMatchObject({ data: null, errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
    expect(await eventCount(nodeId)).toBe(2);
    expect(await openTransactions()).toBe(0);
  });
});

describe('the mutation transaction', () => {
  it('leaves nothing of a first field when a second one fails, and no transaction open', async () => {
    const { nodeId } = await nodeWithReadings(1);
    const res = await api.gql(
      `mutation ($nodeId: ID!) {
        a: recordEvent(input: { nodeId: $nodeId, consumption: "7.77", unit: "L" }) { event { node { latestEvent { consumption } } } }
        b: updateNode(id: $nodeId, input: { name: "", expectedVersion: 1 }) { node { name } }
      }`,
      { nodeId },
    );
    expect(res.data).toBeNull();
    expect(res.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.name' });
    expect(await eventCount(nodeId)).toBe(1);
    expect(await api.db.sql("select 1 from events where consumption = '7.77' and node_id = $1", [nodeId])).toEqual([]);
    expect(await openTransactions()).toBe(0);
    expect(await api.poolUsedAtRest()).toBe(0);
  });

  it('answers a unique clash in a later field with CONFLICT naming the field, writing nothing of either', async () => {
    const { nodeId } = await nodeWithReadings(1);
    const tag = Date.now().toString(36);
    const res = await api.gql(
      `mutation ($nodeId: ID!, $a: CreateUserInput!, $b: CreateUserInput!) {
        r: recordEvent(input: { nodeId: $nodeId, consumption: "8.88", unit: "L" }) { event { id } }
        a: createUser(input: $a) { user { id } }
        b: createUser(input: $b) { user { id } }
      }`,
      {
        nodeId,
        a: { username: `clash_${tag}`, email: `a_${tag}@example.com`, password: 'Secret-Passw0rd', firstName: 'A', lastName: 'A' },
        b: { username: `other_${tag}`, email: `a_${tag}@example.com`, password: 'Secret-Passw0rd', firstName: 'B', lastName: 'B' },
      },
    );
    expect(res.data).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0]?.extensions).toEqual({ code: 'CONFLICT', field: 'input.email' });
    expect(await eventCount(nodeId)).toBe(1);
    expect(await api.db.sql('select 1 from users where username = $1', [`clash_${tag}`])).toEqual([]);
    expect(await openTransactions()).toBe(0);
  });

  it('runs no field after a failed one: only the failure is reported, and nothing is written', async () => {
    const { nodeId } = await nodeWithReadings(1);
    const taken = await api.gql(CREATE_USER, { input: newUserInput() });
    const clash = newUserInput({ username: taken.data!.createUser.user.username });
    let res: Awaited<ReturnType<TestApi['gql']>> | undefined;
    const statements = await api.statements(async () => {
      res = await api.gql(
        `mutation ($nodeId: ID!, $clash: CreateUserInput!) {
          a: createUser(input: $clash) { user { id } }
          b: recordEvent(input: { nodeId: $nodeId, consumption: "3.33", unit: "L" }) { event { id } }
          c: updateNode(id: $nodeId, input: { name: "never" }) { node { name } }
        }`,
        { nodeId, clash },
      );
    });
    expect(res!.data).toBeNull();
    expect(res!.errors).toHaveLength(1);
    expect(res!.errors?.[0]).toMatchObject({ path: ['a'], extensions: { code: 'CONFLICT', field: 'input.username' } });
    // a's insert failed; b and c sent nothing (no node lookup, no insert, no update).
    expect(statements.filter((sql) => /\b(events|nodes)\b/.test(sql))).toEqual([]);
    expect(await eventCount(nodeId)).toBe(1);
    expect(await openTransactions()).toBe(0);
  });

  it("checks expectedVersion against the row as the operation found it, not as an earlier field left it", async () => {
    const { nodeId } = await nodeWithReadings(1);
    const twice = await api.gql(
      `mutation ($id: ID!) {
        a: updateNode(id: $id, input: { name: "first", expectedVersion: 1 }) { node { version } }
        b: updateNode(id: $id, input: { description: "second", expectedVersion: 1 }) { node { name version } }
      }`,
      { id: nodeId },
    );
    expect(twice.errors).toBeUndefined();
    // One operation, one new version, however many of its fields change the row.
    expect(twice.data).toEqual({ a: { node: { version: 2 } }, b: { node: { name: 'first', version: 2 } } });
    expect(await api.db.sql('select version from nodes where id = $1', [nodeId])).toEqual([{ version: 2 }]);

    const guessed = await api.gql(
      `mutation ($id: ID!) {
        a: updateNode(id: $id, input: { name: "third", expectedVersion: 2 }) { node { version } }
        b: updateNode(id: $id, input: { name: "fourth", expectedVersion: 3 }) { node { version } }
      }`,
      { id: nodeId },
    );
    expect(guessed.data).toBeNull();
    expect(guessed.errors?.[0]).toMatchObject({ path: ['b'], extensions: { code: 'CONFLICT', field: 'input.expectedVersion' } });
    expect(await api.db.sql('select name, version from nodes where id = $1', [nodeId])).toEqual([{ name: 'first', version: 2 }]);
  });

  it('is not opened by a query, which never holds a connection between statements', async () => {
    const { nodeId } = await nodeWithReadings(2);
    const statements = await api.statements(() =>
      api.gql('query ($id: ID!) { node(id: $id) { name latestEvent { id } events(first: 5) { totalCount } } }', { id: nodeId }),
    );
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.filter((sql) => /^(begin|commit|rollback|savepoint)/i.test(sql.trim()))).toEqual([]);
  });
});
