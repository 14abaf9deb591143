import { CREATE_DEVICE, CREATE_USER, newUserInput, RECORD_EVENTS } from './support/documents';
import { createTestApi, type TestApi } from './support/test-api';

// Every connection pages both ways (Relay's connection spec): `first`/`after` forward, `last`/`before`
// backward, the same rows in the same order either way, and a PageInfo that is exact in both directions.
let api: TestApi;
let ownerId: string;
let deviceId: string;
/** The owner's own `Authorization` header: a USER, whose lists start from their own devices. */
let asOwner: Record<string, string>;
const tag = `pg${Date.now() % 100000}`;

beforeAll(async () => {
  api = await createTestApi();
  for (let i = 0; i < 5; i++) await api.gql(CREATE_USER, { input: newUserInput({ firstName: `${tag}${i}` }) });
  const owner = newUserInput();
  ownerId = (await api.gql(CREATE_USER, { input: owner })).data!.createUser.user.id;
  const login = await api.gql('mutation ($input: LoginInput!) { login(input: $input) { token } }', { input: { username: owner.username, password: owner.password } });
  asOwner = { authorization: `Bearer ${login.data!.login.token}` };
  const ids: string[] = [];
  for (let i = 0; i < 7; i++) ids.push((await api.gql(CREATE_DEVICE, { input: { name: `Pager ${i}`, ownerId } })).data!.createDevice.device.id);
  deviceId = ids[0]!;
  // Two readings share an instant: the id breaks the tie, in both directions.
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();
  const inputs = [0, 1, 2, 3, 3, 4, 5, 6, 7].map((minute, i) => ({ deviceId, consumption: `${i + 1}.00`, unit: 'L', occurredAt: at(minute) }));
  expect((await api.gql(RECORD_EVENTS, { inputs })).errors).toBeUndefined();
  for (let i = 0; i < 5; i++) {
    await api.gql('mutation ($input: CreateRecommendationInput!) { createRecommendation(input: $input) { recommendation { id } } }', {
      input: { title: `${tag} tip ${i}`, description: 'Page me.', imageUrl: 'https://assets.aquamind.app/tips/droplet.png', icon: 'droplet' },
    });
  }
});
afterAll(async () => api.close());

const PAGE = 'edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount';

/** The lists, each as a document taking `$args`-style arguments and the path to its connection. */
const LISTS: Array<{ name: string; query: (args: string) => string; at: (data: any) => any }> = [
  { name: 'devices', query: (a) => `query ($owner: ID) { devices(ownerId: $owner, ${a}) { ${PAGE} } }`, at: (d) => d.devices },
  { name: 'User.devices', query: (a) => `query ($owner: ID!) { user(id: $owner) { devices(${a}) { ${PAGE} } } }`, at: (d) => d.user.devices },
  { name: 'events', query: (a) => `query ($device: ID) { events(deviceId: $device, ${a}) { ${PAGE} } }`, at: (d) => d.events },
  { name: 'Device.events', query: (a) => `query ($device: ID!) { device(id: $device) { events(${a}) { ${PAGE} } } }`, at: (d) => d.device.events },
  { name: 'users', query: (a) => `query ($tag: String) { users(search: $tag, ${a}) { ${PAGE} } }`, at: (d) => d.users },
  { name: 'recommendations', query: (a) => `{ recommendations(${a}) { ${PAGE} } }`, at: (d) => d.recommendations },
];

async function page(list: (typeof LISTS)[number], args: string): Promise<any> {
  const res = await api.gql(list.query(args), { owner: ownerId, device: deviceId, tag });
  expect(res.errors).toBeUndefined();
  return list.at(res.data);
}

const idsOf = (connection: any): string[] => connection.edges.map((edge: any) => edge.node.id);

describe.each(LISTS)('$name', (list) => {
  it('pages backward through the same rows, in the same order, as forward, with exact PageInfo both ways', async () => {
    const all = idsOf(await page(list, 'first: 100'));
    expect(all.length).toBeGreaterThanOrEqual(5);

    const forward: string[][] = [];
    let after: string | null = null;
    for (;;) {
      const connection = await page(list, after ? `first: 2, after: "${after}"` : 'first: 2');
      forward.push(idsOf(connection));
      expect(connection.pageInfo).toEqual({
        hasNextPage: forward.flat().length < all.length,
        hasPreviousPage: after !== null,
        startCursor: connection.edges[0].cursor,
        endCursor: connection.edges.at(-1).cursor,
      });
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }

    const backward: string[][] = [];
    let before: string | null = null;
    for (;;) {
      const connection = await page(list, before ? `last: 2, before: "${before}"` : 'last: 2');
      backward.unshift(idsOf(connection));
      expect(connection.pageInfo).toEqual({
        hasNextPage: before !== null,
        hasPreviousPage: backward.flat().length < all.length,
        startCursor: connection.edges[0].cursor,
        endCursor: connection.edges.at(-1).cursor,
      });
      if (!connection.pageInfo.hasPreviousPage) break;
      before = connection.pageInfo.startCursor;
    }

    expect(forward.flat()).toEqual(all);
    expect(backward.flat()).toEqual(all);
  });

  it('answers an empty page past either end with the other side still exact', async () => {
    const all = await page(list, 'first: 100');
    const afterLast = await page(list, `first: 2, after: "${all.pageInfo.endCursor}"`);
    expect(afterLast.edges).toEqual([]);
    expect(afterLast.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null });
    const beforeFirst = await page(list, `last: 2, before: "${all.pageInfo.startCursor}"`);
    expect(beforeFirst.edges).toEqual([]);
    expect(beforeFirst.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: null, endCursor: null });
    expect(afterLast.totalCount).toBe(all.edges.length);
  });

  it('refuses paging both ways at once, and a cursor of another list', async () => {
    const res = await api.gql(list.query('first: 2, last: 2'), { owner: ownerId, device: deviceId, tag });
    expect(res.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'last' });
    const foreign = Buffer.from('["nothing","x"]').toString('base64url');
    const bad = await api.gql(list.query(`last: 2, before: "${foreign}"`), { owner: ownerId, device: deviceId, tag });
    expect(bad.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'before' });
    const tooMany = await api.gql(list.query('last: 101'), { owner: ownerId, device: deviceId, tag });
    expect(tooMany.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'last' });
  });
});

describe('child lists read backward', () => {
  it('take one statement for every parent, with a cursor too', async () => {
    const lastTwo = await page(LISTS[1]!, 'last: 2');
    const before = lastTwo.pageInfo.startCursor;
    const query = `query ($before: String) { users(first: 20) { edges { node { id devices(last: 2, before: $before) { ${PAGE} } } } } }`;
    const statements = await api.statements(async () => {
      const res = await api.gql(query, { before });
      expect(res.errors).toBeUndefined();
      const owner = res.data!.users.edges.find((edge: any) => edge.node.id === ownerId);
      expect(owner.node.devices.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    });
    // The users page and one statement for every user's devices (totalCount adds one for all users).
    expect(statements).toHaveLength(3);
  });
});

// A USER's root lists start from their own devices: the same rows, both ways, as an ADMIN reads for them.
describe.each([
  { name: 'events', asAdmin: LISTS[3]!, own: 'events' },
  { name: 'devices', asAdmin: LISTS[0]!, own: 'devices' },
])("a USER's $name", ({ asAdmin, own }) => {
  it('page both ways through what they own, as an ADMIN sees it', async () => {
    const expected = idsOf(await page(asAdmin, 'first: 100'));
    const read = async (args: string) => {
      const res = await api.gql(`{ ${own}(${args}) { ${PAGE} } }`, {}, asOwner);
      expect(res.errors).toBeUndefined();
      return res.data![own];
    };
    const forward: string[] = [];
    for (let after: string | null = null; ; ) {
      const connection = await read(after ? `first: 3, after: "${after}"` : 'first: 3');
      forward.push(...idsOf(connection));
      expect(connection.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    const backward: string[] = [];
    for (let before: string | null = null; ; ) {
      const connection = await read(before ? `last: 3, before: "${before}"` : 'last: 3');
      backward.unshift(...idsOf(connection));
      expect(connection.pageInfo.hasNextPage).toBe(before !== null);
      if (!connection.pageInfo.hasPreviousPage) break;
      before = connection.pageInfo.startCursor;
    }
    expect(expected.length).toBeGreaterThan(3);
    expect(forward).toEqual(expected);
    expect(backward).toEqual(expected);
    expect((await read('first: 1')).totalCount).toBe(expected.length);
  });
});
